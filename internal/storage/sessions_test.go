package storage_test

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

func TestSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		other := addPatron(t, db, "20240002")
		newSession := func(hash string, patronID int64, lastSeen, expires int) library.Session {
			return library.Session{TokenHash: []byte(hash), PatronID: patronID, CSRFToken: "csrf-" + hash,
				CreatedAt: at(1, 9, 0), LastSeenAt: at(1, lastSeen, 0), ExpiresAt: at(1, expires, 0)}
		}
		sessions := []library.Session{
			newSession("hash-a", p.ID, 10, 21),
			newSession("hash-b", p.ID, 11, 21),
			newSession("hash-c", p.ID, 12, 21),
			newSession("hash-d", other.ID, 12, 21),
		}
		update(t, db, func(tx library.Tx) error {
			for i := range sessions {
				if err := tx.CreateSession(&sessions[i]); err != nil {
					return err
				}
			}
			return nil
		})
		view(t, db, func(tx library.Tx) error {
			got, err := tx.SessionByTokenHash([]byte("hash-b"))
			diff(t, "SessionByTokenHash", got, sessions[1])
			return err
		})

		err := db.Update(t.Context(), func(tx library.Tx) error {
			s := newSession("hash-a", p.ID, 10, 11)
			return tx.CreateSession(&s)
		})
		wantCode(t, err, library.ECONFLICT)

		update(t, db, func(tx library.Tx) error { return tx.TouchSession(sessions[0].ID, at(1, 13, 0)) })
		view(t, db, func(tx library.Tx) error {
			got, err := tx.SessionByTokenHash([]byte("hash-a"))
			want := sessions[0]
			want.LastSeenAt = at(1, 13, 0)
			diff(t, "after TouchSession", got, want)
			return err
		})

		// Sign-in elsewhere ends the patron's other sessions, not everyone's.
		update(t, db, func(tx library.Tx) error { return tx.DeletePatronSessions(p.ID, sessions[1].ID) })
		view(t, db, func(tx library.Tx) error {
			for _, s := range sessions {
				_, err := tx.SessionByTokenHash(s.TokenHash)
				want := ""
				if s.PatronID == p.ID && s.ID != sessions[1].ID {
					want = library.ENOTFOUND
				}
				wantCode(t, err, want)
			}
			return nil
		})

		update(t, db, func(tx library.Tx) error {
			if err := tx.DeleteSession(sessions[1].ID); err != nil {
				return err
			}
			return tx.DeleteSession(sessions[1].ID) // twice is fine
		})
		for _, tt := range []struct {
			name string
			fn   func(library.Tx) error
		}{
			{"touch gone", func(tx library.Tx) error { return tx.TouchSession(sessions[1].ID, at(1, 14, 0)) }},
			{"find gone", func(tx library.Tx) error { _, err := tx.SessionByTokenHash([]byte("hash-b")); return err }},
		} {
			t.Run(tt.name, func(t *testing.T) { wantCode(t, db.Update(t.Context(), tt.fn), library.ENOTFOUND) })
		}
	})
}

func TestDeleteStaleSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		sessions := []library.Session{
			{TokenHash: []byte("idle"), PatronID: p.ID, CreatedAt: at(1, 8, 0), LastSeenAt: at(1, 9, 0), ExpiresAt: at(1, 20, 0)},
			{TokenHash: []byte("expired"), PatronID: p.ID, CreatedAt: at(1, 8, 0), LastSeenAt: at(1, 11, 55), ExpiresAt: at(1, 11, 59)},
			{TokenHash: []byte("live"), PatronID: p.ID, CreatedAt: at(1, 8, 0), LastSeenAt: at(1, 11, 55), ExpiresAt: at(1, 20, 0)},
		}
		update(t, db, func(tx library.Tx) error {
			for i := range sessions {
				if err := tx.CreateSession(&sessions[i]); err != nil {
					return err
				}
			}
			return nil
		})
		update(t, db, func(tx library.Tx) error {
			n, err := tx.DeleteStaleSessions(at(1, 11, 50), at(1, 12, 0))
			diff(t, "removed", n, 2)
			return err
		})
		view(t, db, func(tx library.Tx) error {
			for _, s := range sessions {
				_, err := tx.SessionByTokenHash(s.TokenHash)
				want := library.ENOTFOUND
				if string(s.TokenHash) == "live" {
					want = ""
				}
				wantCode(t, err, want)
			}
			return nil
		})
	})
}
