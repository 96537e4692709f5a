package storage_test

import (
	"errors"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

func TestPatronRoundTrip(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		tests := []struct {
			name string
			p    library.Patron
		}{
			{"card holder, nothing optional", library.Patron{Barcode: "20240001", Category: "student",
				PIN: library.PINRecord{Kind: library.PINNone}}},
			{"registered, barcode preset", library.Patron{Barcode: "20240002", Category: "student", Name: "陳大文",
				Email: "tai.man@example.edu.hk", RegisteredOn: library.NewDate(2018, 8, 1), ExpiresOn: library.NewDate(2026, 8, 31),
				PIN: library.PINRecord{Kind: library.PINPreset, SetAt: at(1, 9, 0)}}},
			{"legacy HKID preset", library.Patron{Barcode: "S1234", Category: "staff", Name: "Ann Lee",
				RegisteredOn: library.NewDate(2018, 7, 31), PIN: library.PINRecord{Kind: library.PINPreset, Hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"}}},
			{"temporary PIN, blocked", library.Patron{Barcode: "20240003", Category: "student", BlockedReason: "lost card",
				BlockNotice:  library.BlockNotice{Reason: library.BlockCardLost, Shown: true},
				RegisteredOn: library.NewDate(2024, 9, 1), PIN: library.PINRecord{Kind: library.PINTemporary, Hash: "$argon2id$x",
					SetAt: at(2, 10, 0), ExpiresAt: at(3, 10, 0)}}},
			{"chosen PIN", library.Patron{Barcode: "20240004", Category: "student", RegisteredOn: library.NewDate(2024, 9, 1),
				PIN: library.PINRecord{Kind: library.PINChosen, Hash: "$argon2id$y", SetAt: at(4, 11, 30)}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := tt.p
				update(t, db, func(tx library.Tx) error { return tx.CreatePatron(&p) })
				if p.ID == 0 {
					t.Fatal("CreatePatron did not set the ID")
				}
				want := tt.p
				want.ID = p.ID
				view(t, db, func(tx library.Tx) error {
					got, err := tx.PatronByID(p.ID)
					if err != nil {
						return err
					}
					diff(t, "PatronByID", got, want)
					got, err = tx.PatronByBarcode(p.Barcode)
					if err != nil {
						return err
					}
					diff(t, "PatronByBarcode", got, want)
					return nil
				})
			})
		}
	})
}

func TestPatronErrors(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		a := addPatron(t, db, "20240001")
		b := addPatron(t, db, "20240002")
		tests := []struct {
			name string
			fn   func(library.Tx) error
			code string
		}{
			{"duplicate barcode", func(tx library.Tx) error {
				return tx.CreatePatron(&library.Patron{Barcode: a.Barcode, PIN: library.PINRecord{Kind: library.PINNone}})
			}, library.ECONFLICT},
			{"empty barcode", func(tx library.Tx) error {
				return tx.CreatePatron(&library.Patron{PIN: library.PINRecord{Kind: library.PINNone}})
			}, library.EINVALID},
			{"unknown PIN kind", func(tx library.Tx) error {
				return tx.CreatePatron(&library.Patron{Barcode: "X1", PIN: library.PINRecord{Kind: "plain"}})
			}, library.EINVALID},
			{"unknown id", func(tx library.Tx) error { _, err := tx.PatronByID(999); return err }, library.ENOTFOUND},
			{"unknown barcode", func(tx library.Tx) error { _, err := tx.PatronByBarcode("nope"); return err }, library.ENOTFOUND},
			{"update unknown", func(tx library.Tx) error {
				return tx.UpdatePatron(library.Patron{ID: 999, Barcode: "X2"})
			}, library.ENOTFOUND},
			{"update to a taken barcode", func(tx library.Tx) error {
				b2 := b
				b2.Barcode = a.Barcode
				return tx.UpdatePatron(b2)
			}, library.ECONFLICT},
			{"set PIN of unknown", func(tx library.Tx) error {
				return tx.SetPIN(999, library.PINRecord{Kind: library.PINChosen, Hash: "h"})
			}, library.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.Update(t.Context(), tt.fn), tt.code)
			})
		}
	})
}

func TestUpdatePatronKeepsPIN(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		want := p
		want.Name, want.Email, want.Category = "New Name", "new@example.org", "staff"
		want.RegisteredOn, want.ExpiresOn, want.BlockedReason = library.Date{}, library.NewDate(2030, 1, 2), "unpaid fines"
		want.BlockNotice = library.BlockNotice{Text: "Return the laptop charger to the Circulation Counter.", Shown: true}
		changed := want
		changed.PIN = library.PINRecord{Kind: library.PINChosen, Hash: "must not be saved"}
		update(t, db, func(tx library.Tx) error { return tx.UpdatePatron(changed) })
		view(t, db, func(tx library.Tx) error {
			got, err := tx.PatronByID(p.ID)
			diff(t, "patron", got, want)
			return err
		})
	})
}

func TestSetPIN(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		for _, pin := range []library.PINRecord{
			{Kind: library.PINTemporary, Hash: "$argon2id$t", SetAt: at(1, 8, 0), ExpiresAt: at(2, 8, 0)},
			{Kind: library.PINChosen, Hash: "$argon2id$c", SetAt: at(3, 8, 0)},
			{Kind: library.PINPreset},
		} {
			update(t, db, func(tx library.Tx) error { return tx.SetPIN(p.ID, pin) })
			view(t, db, func(tx library.Tx) error {
				got, err := tx.PatronByID(p.ID)
				want := p
				want.PIN = pin
				diff(t, "patron", got, want)
				return err
			})
		}
	})
}

func TestEachPatron(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		for _, b := range []string{"30000000", "10000000", "S0001", "20000000"} {
			addPatron(t, db, b)
		}
		var got []string
		view(t, db, func(tx library.Tx) error {
			return tx.EachPatron(func(p library.Patron) error {
				got = append(got, p.Barcode)
				return nil
			})
		})
		diff(t, "barcodes", got, []string{"10000000", "20000000", "30000000", "S0001"})

		stop := errors.New("stop")
		n := 0
		err := db.View(t.Context(), func(tx library.Tx) error {
			return tx.EachPatron(func(library.Patron) error {
				n++
				return stop
			})
		})
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("EachPatron after fn error: err %v, calls %d; want stop, 1", err, n)
		}

		view(t, db, func(tx library.Tx) error {
			count, err := tx.CountPatrons()
			diff(t, "CountPatrons", count, 4)
			return err
		})
	})
}

// An import looks patrons up and updates them while it streams them.
func TestEachPatronWithQueriesInside(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		for _, b := range []string{"10000000", "20000000", "30000000"} {
			addPatron(t, db, b)
		}
		update(t, db, func(tx library.Tx) error {
			return tx.EachPatron(func(p library.Patron) error {
				again, err := tx.PatronByBarcode(p.Barcode)
				if err != nil {
					return err
				}
				again.Name = "seen"
				return tx.UpdatePatron(again)
			})
		})
		view(t, db, func(tx library.Tx) error {
			return tx.EachPatron(func(p library.Patron) error {
				if p.Name != "seen" {
					t.Errorf("patron %s name %q, want seen", p.Barcode, p.Name)
				}
				return nil
			})
		})
	})
}
