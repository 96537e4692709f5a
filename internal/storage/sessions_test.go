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
				CreatedAt: at(1, 9, 0), LastSeenAt: at(1, lastSeen, 0), ExpiresAt: at(1, expires, 0),
				PublicID: "public-" + hash, Device: "firefox/windows"}
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
			s.PublicID = "public-fresh"
			return tx.CreateSession(&s)
		})
		wantCode(t, err, library.ECONFLICT)
		// Public ids are unique too: one names one session.
		err = db.Update(t.Context(), func(tx library.Tx) error {
			s := newSession("hash-fresh", other.ID, 10, 11)
			s.PublicID = sessions[0].PublicID
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
			{TokenHash: []byte("idle"), PublicID: "idle", PatronID: p.ID, CreatedAt: at(1, 8, 0), LastSeenAt: at(1, 9, 0), ExpiresAt: at(1, 20, 0)},
			{TokenHash: []byte("expired"), PublicID: "expired", PatronID: p.ID, CreatedAt: at(1, 8, 0), LastSeenAt: at(1, 11, 55), ExpiresAt: at(1, 11, 59)},
			{TokenHash: []byte("live"), PublicID: "live", PatronID: p.ID, CreatedAt: at(1, 8, 0), LastSeenAt: at(1, 11, 55), ExpiresAt: at(1, 20, 0)},
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

// TestPatronSessions proves the list of a patron's sessions holds theirs
// only, most recently used first, and that ending one by public id ends
// it only for its own patron: another patron's public id, a made-up one
// and an empty one end nothing.
func TestPatronSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		a := addPatron(t, db, "20240001")
		b := addPatron(t, db, "20240002")
		c := addPatron(t, db, "20240003")
		mk := func(name string, patronID int64, lastSeen int, device string) library.Session {
			return library.Session{TokenHash: []byte("hash-" + name), PatronID: patronID, CSRFToken: "csrf-" + name,
				CreatedAt: at(1, 8, 0), LastSeenAt: at(1, lastSeen, 0), ExpiresAt: at(1, 20, 0),
				PublicID: "public-" + name, Device: device}
		}
		sessions := []library.Session{
			mk("a1", a.ID, 9, "firefox/windows"),
			mk("a2", a.ID, 11, "chrome/android"),
			mk("b1", b.ID, 12, "kiosk"),
			mk("a3", a.ID, 10, ""),
		}
		update(t, db, func(tx library.Tx) error {
			for i := range sessions {
				if err := tx.CreateSession(&sessions[i]); err != nil {
					return err
				}
			}
			return nil
		})
		list := func(p library.Patron) []library.Session {
			t.Helper()
			var got []library.Session
			view(t, db, func(tx library.Tx) error {
				var err error
				got, err = tx.PatronSessions(p.ID)
				return err
			})
			return got
		}
		diff(t, "sessions of a", list(a), []library.Session{sessions[1], sessions[3], sessions[0]})
		diff(t, "sessions of b", list(b), []library.Session{sessions[2]})
		diff(t, "sessions of c", len(list(c)), 0)

		for _, tt := range []struct {
			name     string
			patron   library.Patron
			publicID string
			want     bool
		}{
			{"another patron's", a, sessions[2].PublicID, false},
			{"made up", a, "public-nobody", false},
			{"empty", a, "", false},
			{"own", a, sessions[0].PublicID, true},
			{"own, again", a, sessions[0].PublicID, false},
		} {
			update(t, db, func(tx library.Tx) error {
				got, err := tx.DeletePatronSession(tt.patron.ID, tt.publicID)
				diff(t, tt.name, got, tt.want)
				return err
			})
		}
		diff(t, "sessions of a after", list(a), []library.Session{sessions[1], sessions[3]})
		diff(t, "sessions of b after", list(b), []library.Session{sessions[2]})
	})
}
