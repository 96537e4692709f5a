package storage_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// batchOf returns n new patrons with barcodes 2026xxxx, the hash-free
// preset, and an email on every other one.
func batchOf(n int) []*library.Patron {
	ps := make([]*library.Patron, n)
	for i := range ps {
		ps[i] = &library.Patron{Barcode: fmt.Sprintf("2026%04d", i), Category: "student", Name: fmt.Sprintf("Patron %d", i),
			RegisteredOn: library.NewDate(2026, 9, 1), ExpiresOn: library.NewDate(2030, 8, 31),
			PIN: library.PINRecord{Kind: library.PINPreset, SetAt: at(1, 9, 0)}}
		if i%2 == 0 {
			ps[i].Email = fmt.Sprintf("p%d@example.edu.hk", i)
		}
	}
	return ps
}

// CreatePatrons stores every patron of a batch larger than one statement
// and sets each one's ID to the row that holds it.
func TestCreatePatrons(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ps := batchOf(2500)
		update(t, db, func(tx library.Tx) error { return tx.CreatePatrons(ps) })
		view(t, db, func(tx library.Tx) error {
			n, err := tx.CountPatrons()
			if n != len(ps) {
				t.Errorf("CountPatrons = %d, want %d", n, len(ps))
			}
			seen := make(map[int64]bool)
			for _, i := range []int{0, 1, 999, 1000, 1001, 2499} {
				want := *ps[i]
				if want.ID == 0 || seen[want.ID] {
					t.Fatalf("patron %d: ID %d not set or not unique", i, want.ID)
				}
				seen[want.ID] = true
				got, err := tx.PatronByID(want.ID)
				if err != nil {
					return err
				}
				diff(t, fmt.Sprintf("patron %d", i), got, want)
			}
			return err
		})
	})
}

// A refused patron anywhere in a batch is named by its place, with the
// code creating it alone gives, and the transaction writes nothing.
func TestCreatePatronsRefused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		old := addPatron(t, db, "20240001")
		update(t, db, func(tx library.Tx) error { return tx.RetireBarcode(old.ID, "20269000", at(1, 9, 0)) })
		for _, tc := range []struct {
			name  string
			index int
			edit  func(p *library.Patron)
		}{
			{"former barcode", 1700, func(p *library.Patron) { p.Barcode = "20269000" }},
			{"barcode in use", 1200, func(p *library.Patron) { p.Barcode = "20240001" }},
			{"same barcode twice", 2100, func(p *library.Patron) { p.Barcode = "20260005" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ps := batchOf(2500)
				tc.edit(ps[tc.index])
				err := db.Update(t.Context(), func(tx library.Tx) error { return tx.CreatePatrons(ps) })
				var be *library.BatchError
				if !errors.As(err, &be) || be.Index != tc.index {
					t.Fatalf("error %v, want a BatchError for row %d", err, tc.index)
				}
				wantCode(t, err, library.ECONFLICT)
				view(t, db, func(tx library.Tx) error {
					n, err := tx.CountPatrons()
					if n != 1 {
						t.Errorf("CountPatrons = %d after a refused batch, want 1", n)
					}
					return err
				})
			})
		}
	})
}
