package storage_test

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// The schema keeps one open hold per patron and item and one trapped hold
// per item, and the queries give the queue in order.
func TestHolds(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		a, b, c := addPatron(t, db, "20240001"), addPatron(t, db, "20240002"), addPatron(t, db, "20240003")
		items := addItems(t, db, 2)
		holds := []library.Hold{
			{PatronID: b.ID, Item: items[0], State: library.HoldWaiting, PlacedAt: at(1, 10, 0)},
			{PatronID: c.ID, Item: items[0], State: library.HoldWaiting, PlacedAt: at(1, 9, 0)}, // placed first
			{PatronID: b.ID, Item: items[1], State: library.HoldWaiting, PlacedAt: at(1, 11, 0)},
		}
		update(t, db, func(tx library.Tx) error {
			l := library.Loan{PatronID: a.ID, Item: items[0], CheckedOutAt: at(1, 8, 0), DueAt: at(15, 8, 0)}
			if err := tx.CreateLoan(&l); err != nil {
				return err
			}
			for i := range holds {
				if err := tx.CreateHold(&holds[i]); err != nil {
					return err
				}
			}
			return nil
		})
		err := db.Update(t.Context(), func(tx library.Tx) error {
			again := library.Hold{PatronID: b.ID, Item: items[0], State: library.HoldWaiting, PlacedAt: at(2, 9, 0)}
			return tx.CreateHold(&again)
		})
		wantCode(t, err, library.ECONFLICT)

		view(t, db, func(tx library.Tx) error {
			queue, err := tx.ItemHolds(items[0].ID)
			if err != nil {
				return err
			}
			if len(queue) != 2 || queue[0].PatronID != c.ID || queue[0].Position != 1 || queue[1].Position != 2 ||
				queue[0].PatronBarcode != "20240003" || queue[1].Item.Barcode != items[0].Barcode {
				t.Errorf("ItemHolds: %+v", queue)
			}
			n, err := tx.CountOpenHolds(b.ID)
			if n != 2 || err != nil {
				t.Errorf("CountOpenHolds = %d, %v", n, err)
			}
			held, err := tx.HeldItems(a.ID)
			if len(held) != 1 || held[0] != items[0].ID {
				t.Errorf("HeldItems = %v", held)
			}
			h, err2 := tx.OpenHold(b.ID, items[1].ID)
			diff(t, "OpenHold", h.ID, holds[2].ID)
			if err == nil {
				err = err2
			}
			return err
		})

		// Trap c's hold; a second trapped hold on the item is refused.
		trapped := holds[1]
		trapped.State, trapped.TrappedAt, trapped.PickupBy = library.HoldTrapped, at(2, 9, 0), at(9, 23, 59)
		update(t, db, func(tx library.Tx) error { return tx.UpdateHold(trapped) })
		err = db.Update(t.Context(), func(tx library.Tx) error {
			h := holds[0]
			h.State, h.TrappedAt, h.PickupBy = library.HoldTrapped, at(2, 9, 0), at(9, 23, 59)
			return tx.UpdateHold(h)
		})
		wantCode(t, err, library.ECONFLICT)
		err = db.Update(t.Context(), func(tx library.Tx) error {
			h := holds[0]
			h.State = library.HoldTrapped // without a pickup deadline
			return tx.UpdateHold(h)
		})
		wantCode(t, err, library.EINVALID)

		view(t, db, func(tx library.Tx) error {
			shelf, err := tx.TrappedHolds()
			if len(shelf) != 1 || shelf[0].ID != trapped.ID || !shelf[0].PickupBy.Equal(at(9, 23, 59)) {
				t.Errorf("TrappedHolds: %+v", shelf)
			}
			got, err2 := tx.HoldByID(holds[0].ID)
			if got.Position != 1 { // c's hold left the queue
				t.Errorf("position after the trap: %d", got.Position)
			}
			if err == nil {
				err = err2
			}
			return err
		})

		// Closed holds are shown for a while, then unlinked.
		done := holds[2]
		done.State, done.ClosedAt = library.HoldCancelled, at(3, 9, 0)
		update(t, db, func(tx library.Tx) error { return tx.UpdateHold(done) })
		view(t, db, func(tx library.Tx) error {
			mine, err := tx.PatronHolds(b.ID, at(3, 0, 0))
			if len(mine) != 2 || mine[0].ID != done.ID || mine[0].State != library.HoldCancelled {
				t.Errorf("PatronHolds with the cancelled one: %+v", mine)
			}
			mine, _ = tx.PatronHolds(b.ID, at(4, 0, 0))
			if len(mine) != 1 {
				t.Errorf("PatronHolds without the cancelled one: %+v", mine)
			}
			return err
		})
		var n int
		update(t, db, func(tx library.Tx) error {
			var err error
			n, err = tx.UnlinkClosedHolds(at(4, 0, 0))
			return err
		})
		if n != 1 {
			t.Errorf("UnlinkClosedHolds changed %d, want 1", n)
		}
		err = db.Update(t.Context(), func(tx library.Tx) error {
			h := holds[0]
			h.PatronID = 0 // an open hold must have its patron
			return tx.UpdateHold(h)
		})
		wantCode(t, err, library.EINVALID)
	})
}
