package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// TestExportOpenLoans lends 2,100 of 2,500 items (more than two pages of
// rows) to two patrons, returns some, and reads the open loans back: every
// one once, in item barcode order, with the borrower's barcode and the
// loan's times; returned loans and items on the shelf left out. An error
// from fn stops the read and comes back as it is.
func TestExportOpenLoans(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		a, b := addPatron(t, db, "20240001"), addPatron(t, db, "20240002")
		items := addItems(t, db, 2500)
		want := map[string]library.Loan{}
		update(t, db, func(tx library.Tx) error {
			for i, it := range items[:2100] {
				l := library.Loan{PatronID: a.ID, Item: it, CheckedOutAt: at(1, 10, i%60), DueAt: at(15, 23, 59)}
				if i%2 == 1 {
					l.PatronID = b.ID
				}
				if err := tx.CreateLoan(&l); err != nil {
					return err
				}
				if i%7 == 3 {
					l.ReturnedAt, l.PatronID = at(5, 12, 0), 0
					if err := tx.UpdateLoan(l); err != nil {
						return err
					}
					continue
				}
				want[it.Barcode] = l
			}
			return nil
		})

		last, n := "", 0
		err := db.ExportOpenLoans(ctx, func(s library.ItemStatus) error {
			n++
			w, ok := want[s.Item.Barcode]
			switch {
			case !ok:
				return fmt.Errorf("%s: not an open loan", s.Item.Barcode)
			case s.Item.Barcode <= last:
				return fmt.Errorf("%s after %s", s.Item.Barcode, last)
			case s.Loan.ID != w.ID || !s.Loan.CheckedOutAt.Equal(w.CheckedOutAt) || !s.Loan.DueAt.Equal(w.DueAt):
				return fmt.Errorf("%s: loan %+v, want %+v", s.Item.Barcode, s.Loan, w)
			case w.PatronID == a.ID && s.PatronBarcode != "20240001", w.PatronID == b.ID && s.PatronBarcode != "20240002":
				return fmt.Errorf("%s: borrower %s", s.Item.Barcode, s.PatronBarcode)
			}
			last = s.Item.Barcode
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != len(want) {
			t.Errorf("%d open loans read, want %d", n, len(want))
		}

		stop := errors.New("stop")
		if err := db.ExportOpenLoans(ctx, func(library.ItemStatus) error { return stop }); err != stop {
			t.Errorf("fn's error came back as %v", err)
		}
		var patrons, shelf int
		if err := db.ExportPatrons(ctx, func(library.Patron) error { patrons++; return nil }); err != nil || patrons != 2 {
			t.Errorf("ExportPatrons: %d, %v", patrons, err)
		}
		if err := db.ExportItems(ctx, func(library.Item) error { shelf++; return nil }); err != nil || shelf != 2500 {
			t.Errorf("ExportItems: %d, %v", shelf, err)
		}
	})
}
