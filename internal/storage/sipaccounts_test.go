package storage_test

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

func TestSIPAccounts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		kiosk := library.SIPAccount{Login: "kiosk1", Institution: "HKCT", Location: "MAIN-1F",
			PasswordHash:  "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
			LoginRequired: true, RequirePIN: true, Encoding: "utf-8", CreatedAt: at(1, 9, 0)}
		legacy := library.SIPAccount{Login: "old-gate", Institution: "HKCT", PasswordHash: "h1", Encoding: "cp850", CreatedAt: at(2, 9, 0)}
		later := library.SIPAccount{Login: "old-gate-2", Institution: "HKCT", PasswordHash: "h2", Encoding: "latin1", CreatedAt: at(3, 9, 0)}
		update(t, db, func(tx library.Tx) error {
			for _, a := range []*library.SIPAccount{&kiosk, &legacy, &later} {
				if err := tx.CreateSIPAccount(a); err != nil {
					return err
				}
				if a.ID == 0 {
					t.Errorf("CreateSIPAccount did not set the ID of %s", a.Login)
				}
			}
			return nil
		})
		view(t, db, func(tx library.Tx) error {
			got, err := tx.SIPAccountByLogin("kiosk1")
			if err != nil {
				return err
			}
			diff(t, "SIPAccountByLogin", got, kiosk)
			got, err = tx.SIPAccountWithoutLogin("HKCT")
			if err != nil {
				return err
			}
			diff(t, "SIPAccountWithoutLogin", got, legacy)
			_, err = tx.SIPAccountByLogin("KIOSK1")
			wantCode(t, err, library.ENOTFOUND)
			_, err = tx.SIPAccountWithoutLogin("OTHER")
			wantCode(t, err, library.ENOTFOUND)
			return nil
		})

		dup := library.SIPAccount{Login: "kiosk1", Institution: "X", PasswordHash: "h", Encoding: "utf-8", CreatedAt: at(4, 9, 0)}
		wantCode(t, db.Update(t.Context(), func(tx library.Tx) error { return tx.CreateSIPAccount(&dup) }), library.ECONFLICT)
		empty := library.SIPAccount{Login: "", Institution: "X", PasswordHash: "h", Encoding: "utf-8", CreatedAt: at(4, 9, 0)}
		wantCode(t, db.Update(t.Context(), func(tx library.Tx) error { return tx.CreateSIPAccount(&empty) }), library.EINVALID)
		// The schema knows the character sets Carrel speaks, and no other.
		odd := library.SIPAccount{Login: "kiosk9", Institution: "X", PasswordHash: "h", Encoding: "ebcdic", CreatedAt: at(4, 9, 0)}
		wantCode(t, db.Update(t.Context(), func(tx library.Tx) error { return tx.CreateSIPAccount(&odd) }), library.EINVALID)

		// The policy changes in place; the list is by login.
		kiosk.RequirePIN, kiosk.Encoding = false, "cp850"
		update(t, db, func(tx library.Tx) error { return tx.UpdateSIPAccount(kiosk) })
		view(t, db, func(tx library.Tx) error {
			got, err := tx.SIPAccounts()
			if err != nil {
				return err
			}
			diff(t, "SIPAccounts", got, []library.SIPAccount{kiosk, legacy, later})
			return nil
		})
		wantCode(t, db.Update(t.Context(), func(tx library.Tx) error {
			return tx.UpdateSIPAccount(library.SIPAccount{ID: 999, Encoding: "utf-8"})
		}), library.ENOTFOUND)
	})
}
