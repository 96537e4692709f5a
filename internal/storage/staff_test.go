package storage_test

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

func TestStaffRoundTrip(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		st := library.Staff{Username: "ada", Name: "Ada Lau", Role: library.RoleAdmin, PasswordHash: "$argon2id$x",
			PasswordSetAt: at(1, 9, 0), CreatedAt: at(1, 9, 0)}
		desk := library.Staff{Username: "dee", Role: library.RoleDesk, PasswordHash: "$argon2id$y",
			PasswordSetAt: at(1, 9, 0), CreatedAt: at(1, 9, 0)}
		update(t, db, func(tx library.Tx) error {
			if err := tx.CreateStaff(&st); err != nil {
				return err
			}
			return tx.CreateStaff(&desk)
		})
		view(t, db, func(tx library.Tx) error {
			got, err := tx.StaffByUsername("ada")
			diff(t, "StaffByUsername", got, st)
			return err
		})
		st.TOTPSecret, st.TOTPLastStep, st.DisabledAt = "v1:0011223344556677:c2VhbGVk", 58000001, at(2, 10, 0)
		st.Role, st.Name, st.PasswordHash = library.RoleDesk, "Ada Lau Wing", "$argon2id$z"
		update(t, db, func(tx library.Tx) error { return tx.UpdateStaff(st) })
		view(t, db, func(tx library.Tx) error {
			got, err := tx.StaffByID(st.ID)
			diff(t, "after UpdateStaff", got, st)
			list, err2 := tx.ListStaff()
			if len(list) != 2 || list[0].Username != "ada" || list[1].Username != "dee" {
				t.Errorf("ListStaff: %+v", list)
			}
			if err == nil {
				err = err2
			}
			return err
		})
		err := db.Update(t.Context(), func(tx library.Tx) error {
			again := library.Staff{Username: "ada", Role: library.RoleDesk, PasswordHash: "h", PasswordSetAt: at(1, 9, 0), CreatedAt: at(1, 9, 0)}
			return tx.CreateStaff(&again)
		})
		wantCode(t, err, library.ECONFLICT)
		err = db.Update(t.Context(), func(tx library.Tx) error {
			bad := library.Staff{Username: "root", Role: "root", PasswordHash: "h", PasswordSetAt: at(1, 9, 0), CreatedAt: at(1, 9, 0)}
			return tx.CreateStaff(&bad)
		})
		wantCode(t, err, library.EINVALID)
		err = db.View(t.Context(), func(tx library.Tx) error { _, err := tx.StaffByUsername("nobody"); return err })
		wantCode(t, err, library.ENOTFOUND)
		err = db.Update(t.Context(), func(tx library.Tx) error {
			return tx.UpdateStaff(library.Staff{ID: 999, Role: library.RoleDesk, PasswordHash: "h"})
		})
		wantCode(t, err, library.ENOTFOUND)
	})
}

// Staff sessions live apart from patron sessions: a token hash of one kind
// is never found among the other.
func TestStaffSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		st := library.Staff{Username: "dee", Role: library.RoleDesk, PasswordHash: "h", PasswordSetAt: at(1, 9, 0), CreatedAt: at(1, 9, 0)}
		sessions := []library.StaffSession{
			{TokenHash: []byte("staff-a"), Stage: library.StageActive, CSRFToken: "c1", CreatedAt: at(1, 9, 0), LastSeenAt: at(1, 10, 0), ExpiresAt: at(1, 21, 0)},
			{TokenHash: []byte("staff-b"), Stage: library.StageCode, CSRFToken: "c2", CreatedAt: at(1, 9, 0), LastSeenAt: at(1, 12, 0), ExpiresAt: at(1, 21, 0)},
		}
		patronSession := library.Session{TokenHash: []byte("patron-a"), PatronID: p.ID, CSRFToken: "c3", PublicID: "public-a",
			CreatedAt: at(1, 9, 0), LastSeenAt: at(1, 9, 0), ExpiresAt: at(1, 21, 0)}
		update(t, db, func(tx library.Tx) error {
			if err := tx.CreateStaff(&st); err != nil {
				return err
			}
			for i := range sessions {
				sessions[i].StaffID = st.ID
				if err := tx.CreateStaffSession(&sessions[i]); err != nil {
					return err
				}
			}
			return tx.CreateSession(&patronSession)
		})
		view(t, db, func(tx library.Tx) error {
			got, err := tx.StaffSessionByTokenHash([]byte("staff-b"))
			diff(t, "StaffSessionByTokenHash", got, sessions[1])
			_, perr := tx.StaffSessionByTokenHash([]byte("patron-a"))
			wantCode(t, perr, library.ENOTFOUND)
			_, serr := tx.SessionByTokenHash([]byte("staff-a"))
			wantCode(t, serr, library.ENOTFOUND)
			return err
		})
		update(t, db, func(tx library.Tx) error { return tx.TouchStaffSession(sessions[0].ID, at(1, 13, 0)) })
		var n int
		update(t, db, func(tx library.Tx) error {
			var err error
			n, err = tx.DeleteStaleStaffSessions(at(1, 12, 30), at(1, 14, 0))
			return err
		})
		if n != 1 {
			t.Errorf("DeleteStaleStaffSessions removed %d, want 1 (the one idle since 12:00)", n)
		}
		update(t, db, func(tx library.Tx) error { return tx.DeleteStaffSessions(st.ID) })
		view(t, db, func(tx library.Tx) error {
			_, err := tx.StaffSessionByTokenHash([]byte("staff-a"))
			wantCode(t, err, library.ENOTFOUND)
			_, err = tx.SessionByTokenHash([]byte("patron-a"))
			return err
		})
	})
}

// TestKeyCheckRoundTrip stores, replaces and deletes the secret key's
// check, on each kind of database.
func TestKeyCheckRoundTrip(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		err := db.View(t.Context(), func(tx library.Tx) error { _, err := tx.KeyCheck("secret_key"); return err })
		wantCode(t, err, library.ENOTFOUND)
		for _, v := range []string{"v1:0011223344556677:Zmlyc3Q", "v1:8899aabbccddeeff:c2Vjb25k"} {
			update(t, db, func(tx library.Tx) error { return tx.SetKeyCheck("secret_key", v) })
			view(t, db, func(tx library.Tx) error {
				got, err := tx.KeyCheck("secret_key")
				diff(t, "KeyCheck", got, v)
				return err
			})
		}
		for range 2 { // deleting what is gone is not an error
			update(t, db, func(tx library.Tx) error { return tx.DeleteKeyCheck("secret_key") })
		}
		err = db.View(t.Context(), func(tx library.Tx) error { _, err := tx.KeyCheck("secret_key"); return err })
		wantCode(t, err, library.ENOTFOUND)
	})
}
