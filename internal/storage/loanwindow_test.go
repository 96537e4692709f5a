package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// OpenLoansWindow gives the slice of OpenLoans a page shows, the count of
// every open loan, the due times before the bound and the fine balance:
// for a patron with 7 open loans (some due on the same instant, so the
// loan ID breaks the tie), a returned loan, another patron's loan and
// fines, at every offset from the first page to beyond the last.
func TestOpenLoansWindow(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		items := addItems(t, db, 10)
		p := addPatron(t, db, "20240001")
		other := addPatron(t, db, "20240002")
		empty := addPatron(t, db, "20240003")
		dues := []time.Time{at(20, 9, 0), at(3, 9, 0), at(10, 9, 0), at(10, 9, 0), at(5, 9, 0), at(25, 9, 0), at(10, 9, 0)}
		update(t, db, func(tx library.Tx) error {
			for i, due := range dues {
				l := library.Loan{PatronID: p.ID, Item: items[i], CheckedOutAt: at(1, 9, 0), DueAt: due, Renewals: i % 3}
				if err := tx.CreateLoan(&l); err != nil {
					return err
				}
			}
			for _, l := range []library.Loan{
				{PatronID: p.ID, Item: items[7], CheckedOutAt: at(1, 9, 0), DueAt: at(2, 9, 0), ReturnedAt: at(2, 8, 0)},
				{PatronID: other.ID, Item: items[8], CheckedOutAt: at(1, 9, 0), DueAt: at(2, 9, 0)},
			} {
				if err := tx.CreateLoan(&l); err != nil {
					return err
				}
			}
			for _, e := range []library.FineEntry{
				{PatronID: p.ID, Kind: library.FineCharge, Amount: 700},
				{PatronID: p.ID, Kind: library.FineWaiver, Amount: 150},
				{PatronID: other.ID, Kind: library.FineCharge, Amount: 900},
			} {
				if err := tx.AddFine(&e); err != nil {
					return err
				}
			}
			return nil
		})
		bound := at(10, 9, 0) // loans due on the 3rd and 5th are before it; the 10th is not
		view(t, db, func(tx library.Tx) error {
			all, err := tx.OpenLoans(p.ID)
			if err != nil {
				return err
			}
			if len(all) != len(dues) {
				t.Fatalf("%d open loans, want %d", len(all), len(dues))
			}
			for _, c := range []struct{ offset, limit int }{{0, 3}, {3, 3}, {6, 3}, {7, 3}, {100, 3}, {0, 50}, {2, 1}} {
				w, err := tx.OpenLoansWindow(p.ID, c.offset, c.limit, bound)
				if err != nil {
					return err
				}
				want := all[min(c.offset, len(all)):min(c.offset+c.limit, len(all))]
				name := fmt.Sprintf("offset %d limit %d", c.offset, c.limit)
				if len(w.Loans) > 0 || len(want) > 0 {
					diff(t, name, w.Loans, want)
				}
				if w.Count != len(dues) {
					t.Errorf("%s: count %d, want %d", name, w.Count, len(dues))
				}
				if len(w.OverdueDue) != 2 || w.OverdueDue[0].Equal(w.OverdueDue[1]) {
					t.Errorf("%s: due times before the bound %v, want the 3rd and the 5th", name, w.OverdueDue)
				}
				for _, due := range w.OverdueDue {
					if !due.Before(bound) {
						t.Errorf("%s: due time %v is not before the bound %v", name, due, bound)
					}
				}
				if w.Balance != 550 {
					t.Errorf("%s: balance %v, want 550", name, w.Balance)
				}
			}
			w, err := tx.OpenLoansWindow(empty.ID, 0, 50, bound)
			if err != nil {
				return err
			}
			if len(w.Loans) != 0 || w.Count != 0 || len(w.OverdueDue) != 0 || w.Balance != 0 {
				t.Errorf("a patron with nothing: %+v", w)
			}
			w, err = tx.OpenLoansWindow(other.ID, 0, 50, bound)
			if err != nil {
				return err
			}
			if len(w.Loans) != 1 || w.Count != 1 || len(w.OverdueDue) != 1 || w.Balance != 900 || w.Loans[0].Item.ID != items[8].ID {
				t.Errorf("the other patron: %+v", w)
			}
			return nil
		})
	})
}
