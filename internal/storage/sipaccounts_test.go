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
			LoginRequired: true, CreatedAt: at(1, 9, 0)}
		legacy := library.SIPAccount{Login: "old-gate", Institution: "HKCT", PasswordHash: "h1", CreatedAt: at(2, 9, 0)}
		later := library.SIPAccount{Login: "old-gate-2", Institution: "HKCT", PasswordHash: "h2", CreatedAt: at(3, 9, 0)}
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

		dup := library.SIPAccount{Login: "kiosk1", Institution: "X", PasswordHash: "h", CreatedAt: at(4, 9, 0)}
		wantCode(t, db.Update(t.Context(), func(tx library.Tx) error { return tx.CreateSIPAccount(&dup) }), library.ECONFLICT)
		empty := library.SIPAccount{Login: "", Institution: "X", PasswordHash: "h", CreatedAt: at(4, 9, 0)}
		wantCode(t, db.Update(t.Context(), func(tx library.Tx) error { return tx.CreateSIPAccount(&empty) }), library.EINVALID)
	})
}
