package storage_test

import (
	"sync"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

func TestOpenLoans(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		other := addPatron(t, db, "20240002")
		items := addItems(t, db, 5)
		loans := []library.Loan{
			{PatronID: p.ID, Item: items[0], CheckedOutAt: at(1, 9, 0), DueAt: at(20, 23, 59)},
			{PatronID: p.ID, Item: items[1], CheckedOutAt: at(1, 9, 1), DueAt: at(10, 23, 59), Renewals: 2},
			{PatronID: p.ID, Item: items[2], CheckedOutAt: at(1, 9, 2), DueAt: at(20, 23, 59)},
			{PatronID: p.ID, Item: items[3], CheckedOutAt: at(1, 9, 3), DueAt: at(5, 23, 59), ReturnedAt: at(4, 12, 0)},
			{PatronID: other.ID, Item: items[4], CheckedOutAt: at(1, 9, 4), DueAt: at(1, 23, 59)},
		}
		update(t, db, func(tx library.Tx) error {
			for i := range loans {
				if err := tx.CreateLoan(&loans[i]); err != nil {
					return err
				}
			}
			return nil
		})
		view(t, db, func(tx library.Tx) error {
			got, err := tx.OpenLoans(p.ID)
			if err != nil {
				return err
			}
			// By due time, then by loan ID; the returned loan and the other
			// patron's loan are not there.
			diff(t, "OpenLoans", got, []library.Loan{loans[1], loans[0], loans[2]})
			n, err := tx.CountOpenLoans(p.ID)
			diff(t, "CountOpenLoans", n, 3)
			if err != nil {
				return err
			}
			got, err = tx.OpenLoans(999)
			if len(got) != 0 || err != nil {
				t.Errorf("OpenLoans(unknown) = %v, %v; want none", got, err)
			}
			l, err := tx.OpenLoanForItem(items[4].ID)
			diff(t, "OpenLoanForItem", l, loans[4])
			if err != nil {
				return err
			}
			_, err = tx.OpenLoanForItem(items[3].ID)
			wantCode(t, err, library.ENOTFOUND)
			return nil
		})
	})
}

func TestOneOpenLoanPerItem(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		a := addPatron(t, db, "20240001")
		b := addPatron(t, db, "20240002")
		item := addItems(t, db, 1)[0]
		first := library.Loan{PatronID: a.ID, Item: item, CheckedOutAt: at(1, 9, 0), DueAt: at(15, 23, 59)}
		update(t, db, func(tx library.Tx) error { return tx.CreateLoan(&first) })

		err := db.Update(t.Context(), func(tx library.Tx) error {
			return tx.CreateLoan(&library.Loan{PatronID: b.ID, Item: item, CheckedOutAt: at(2, 9, 0), DueAt: at(16, 23, 59)})
		})
		wantCode(t, err, library.ECONFLICT)

		first.ReturnedAt = at(3, 10, 0)
		first.Renewals = 1
		first.DueAt = at(22, 23, 59)
		update(t, db, func(tx library.Tx) error { return tx.UpdateLoan(first) })

		second := library.Loan{PatronID: b.ID, Item: item, CheckedOutAt: at(3, 11, 0), DueAt: at(17, 23, 59)}
		update(t, db, func(tx library.Tx) error { return tx.CreateLoan(&second) })
		view(t, db, func(tx library.Tx) error {
			got, err := tx.OpenLoanForItem(item.ID)
			diff(t, "OpenLoanForItem", got, second)
			if err != nil {
				return err
			}
			n, err := tx.CountOpenLoans(a.ID)
			diff(t, "open loans of the first patron", n, 0)
			return err
		})
	})
}

func TestLoanErrors(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		item := addItems(t, db, 1)[0]
		tests := []struct {
			name string
			fn   func(library.Tx) error
			code string
		}{
			{"unknown item", func(tx library.Tx) error {
				return tx.CreateLoan(&library.Loan{PatronID: p.ID, Item: library.Item{ID: 999}, CheckedOutAt: at(1, 9, 0), DueAt: at(2, 9, 0)})
			}, library.ENOTFOUND},
			{"unknown patron", func(tx library.Tx) error {
				return tx.CreateLoan(&library.Loan{PatronID: 999, Item: item, CheckedOutAt: at(1, 9, 0), DueAt: at(2, 9, 0)})
			}, library.ENOTFOUND},
			{"open loan without a patron", func(tx library.Tx) error {
				return tx.CreateLoan(&library.Loan{Item: item, CheckedOutAt: at(1, 9, 0), DueAt: at(2, 9, 0)})
			}, library.EINVALID},
			{"no due time", func(tx library.Tx) error {
				return tx.CreateLoan(&library.Loan{PatronID: p.ID, Item: item, CheckedOutAt: at(1, 9, 0)})
			}, library.EINVALID},
			{"update unknown", func(tx library.Tx) error {
				return tx.UpdateLoan(library.Loan{ID: 999, DueAt: at(2, 9, 0)})
			}, library.ENOTFOUND},
			{"no open loan", func(tx library.Tx) error { _, err := tx.OpenLoanForItem(item.ID); return err }, library.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.Update(t.Context(), tt.fn), tt.code)
			})
		}
	})
}

// A loan limit is a count followed by an insert. Writers take the write lock
// at BEGIN, so twenty checkouts at once cannot all see "under the limit".
func TestLoanLimitUnderConcurrency(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		items := addItems(t, db, 20)
		const limit = 10
		var wg sync.WaitGroup
		errs := make(chan error, len(items))
		for _, it := range items {
			wg.Go(func() {
				errs <- db.Update(t.Context(), func(tx library.Tx) error {
					n, err := tx.CountOpenLoans(p.ID)
					if err != nil || n >= limit {
						return err
					}
					return tx.CreateLoan(&library.Loan{PatronID: p.ID, Item: it, CheckedOutAt: at(1, 9, 0), DueAt: at(15, 23, 59)})
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		view(t, db, func(tx library.Tx) error {
			n, err := tx.CountOpenLoans(p.ID)
			diff(t, "open loans", n, limit)
			return err
		})
	})
}
