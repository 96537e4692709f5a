package storage_test

import (
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

func TestThrottle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		const key, other = "barcode:20240001", "ip:192.0.2.1"
		var pending int64
		update(t, db, func(tx library.Tx) error {
			for _, f := range []struct {
				key string
				at  time.Time
			}{{key, at(1, 9, 0)}, {key, at(1, 9, 5)}, {key, at(1, 9, 10)}, {other, at(1, 9, 10)}} {
				id, err := tx.AddFailure(f.key, f.at)
				if err != nil {
					return err
				}
				pending = id
			}
			return nil
		})
		counts := func(want map[time.Time]int) {
			t.Helper()
			view(t, db, func(tx library.Tx) error {
				for since, n := range want {
					got, err := tx.CountFailures(key, since)
					if err != nil {
						return err
					}
					if got != n {
						t.Errorf("CountFailures(%s) = %d, want %d", since.Format(time.TimeOnly), got, n)
					}
				}
				return nil
			})
		}
		counts(map[time.Time]int{{}: 3, at(1, 9, 5): 2, at(1, 9, 6): 1, at(1, 10, 0): 0})

		// The other key's pending attempt succeeded: it no longer counts.
		update(t, db, func(tx library.Tx) error { return tx.DeleteFailure(pending) })
		view(t, db, func(tx library.Tx) error {
			n, err := tx.CountFailures(other, time.Time{})
			diff(t, "failures of the other key", n, 0)
			return err
		})

		lockedUntil := func(now, want time.Time) {
			t.Helper()
			view(t, db, func(tx library.Tx) error {
				got, err := tx.LockedUntil(key, now)
				diff(t, "LockedUntil", got, want)
				return err
			})
		}
		lockedUntil(at(1, 9, 0), time.Time{})
		update(t, db, func(tx library.Tx) error { return tx.Lock(key, at(1, 9, 30)) })
		lockedUntil(at(1, 9, 20), at(1, 9, 30))
		lockedUntil(at(1, 9, 30), time.Time{})
		update(t, db, func(tx library.Tx) error { return tx.Lock(key, at(1, 10, 0)) })
		lockedUntil(at(1, 9, 40), at(1, 10, 0))

		update(t, db, func(tx library.Tx) error { return tx.Unlock(key) })
		lockedUntil(at(1, 9, 40), time.Time{})
		counts(map[time.Time]int{{}: 0})
	})
}

func TestDeleteOldFailures(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		update(t, db, func(tx library.Tx) error {
			for _, m := range []int{0, 10, 20} {
				if _, err := tx.AddFailure("k", at(1, 9, m)); err != nil {
					return err
				}
			}
			if err := tx.Lock("ended", at(1, 9, 5)); err != nil {
				return err
			}
			return tx.Lock("current", at(1, 9, 30))
		})
		update(t, db, func(tx library.Tx) error { return tx.DeleteOldFailures(at(1, 9, 10)) })
		view(t, db, func(tx library.Tx) error {
			n, err := tx.CountFailures("k", time.Time{})
			diff(t, "failures left", n, 2)
			if err != nil {
				return err
			}
			// LockedUntil at an early instant tells whether the row is still there.
			ended, err := tx.LockedUntil("ended", at(1, 0, 0))
			diff(t, "ended lock", ended, time.Time{})
			if err != nil {
				return err
			}
			current, err := tx.LockedUntil("current", at(1, 0, 0))
			diff(t, "current lock", current, at(1, 9, 30))
			return err
		})
	})
}
