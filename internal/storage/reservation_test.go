package storage_test

import (
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// TestFailureReservations proves, on SQLite and PostgreSQL, what a
// pending failure (a reservation made before a check) counts: as a
// reservation until its pending_until and not after, never as a settled
// failure; settling it makes it a failure for the whole window; deleting
// it (a right PIN) or unlocking the key ends it; and `carrel db copy`
// carries the column.
func TestFailureReservations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		const key = "sip2:kiosk1"
		var ids []int64
		update(t, db, func(tx library.Tx) error {
			ids = nil
			for _, m := range []int{0, 1, 2} {
				id, err := tx.ReserveFailure(key, at(1, 9, m), at(1, 9, m).Add(30*time.Second))
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			_, err := tx.AddFailure(key, at(1, 8, 59))
			return err
		})
		counts := func(now time.Time, failures, reservations int) {
			t.Helper()
			view(t, db, func(tx library.Tx) error {
				f, r, err := tx.CountAttempts(key, at(1, 8, 0), now)
				diff(t, "CountAttempts at "+now.Format(time.TimeOnly), [2]int{f, r}, [2]int{failures, reservations})
				n, err2 := tx.CountFailures(key, at(1, 8, 0))
				diff(t, "CountFailures", n, failures)
				if err == nil {
					err = err2
				}
				return err
			})
		}
		counts(at(1, 9, 0), 1, 3)
		// Each reservation stops counting at its pending_until, to the instant.
		counts(at(1, 9, 0).Add(30*time.Second), 1, 2)
		counts(at(1, 9, 2).Add(29*time.Second), 1, 1)
		counts(at(1, 9, 3), 1, 0)

		// Settled: a failure for the whole window, even after pending_until.
		update(t, db, func(tx library.Tx) error { return tx.SettleFailure(ids[0]) })
		mid := at(1, 9, 1).Add(10 * time.Second) // the last two still pending
		counts(mid, 2, 2)
		counts(at(1, 9, 10), 2, 0)
		// Deleted (a right PIN): nothing.
		update(t, db, func(tx library.Tx) error { return tx.DeleteFailure(ids[1]) })
		counts(mid, 2, 1)

		// Copied as it is.
		dst := storagetest.New(t)
		copyDB(t, dst, db, storage.CopyOptions{})
		view(t, dst, func(tx library.Tx) error {
			f, r, err := tx.CountAttempts(key, at(1, 8, 0), mid)
			diff(t, "CountAttempts of the copy", [2]int{f, r}, [2]int{2, 1})
			return err
		})

		// Unlock forgets reservations and failures alike.
		update(t, db, func(tx library.Tx) error { return tx.Unlock(key) })
		counts(mid, 0, 0)
		// Settling a reservation that was forgotten is no error.
		update(t, db, func(tx library.Tx) error { return tx.SettleFailure(ids[2]) })
		counts(mid, 0, 0)
	})
}
