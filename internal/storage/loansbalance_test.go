package storage_test

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// OpenLoansAndBalance gives what OpenLoans and FineBalance give: for a
// patron with loans and fines, with loans only, with fines only, with
// neither; returned loans and other patrons' loans and fines left out.
func TestOpenLoansAndBalance(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		items := addItems(t, db, 6)
		both := addPatron(t, db, "20240001")
		loansOnly := addPatron(t, db, "20240002")
		finesOnly := addPatron(t, db, "20240003")
		neither := addPatron(t, db, "20240004")
		items[5].Withdrawn = true
		update(t, db, func(tx library.Tx) error {
			if err := tx.UpdateItem(items[5]); err != nil {
				return err
			}
			for i, l := range []library.Loan{
				{PatronID: both.ID, Item: items[0], CheckedOutAt: at(1, 9, 0), DueAt: at(20, 9, 0), Renewals: 2},
				{PatronID: both.ID, Item: items[1], CheckedOutAt: at(2, 9, 0), DueAt: at(10, 9, 0)},
				{PatronID: both.ID, Item: items[2], CheckedOutAt: at(1, 9, 0), DueAt: at(5, 9, 0), ReturnedAt: at(4, 9, 0)},
				{PatronID: both.ID, Item: items[5], CheckedOutAt: at(3, 9, 0), DueAt: at(10, 9, 0)},
				{PatronID: loansOnly.ID, Item: items[3], CheckedOutAt: at(1, 9, 0), DueAt: at(15, 9, 0)},
			} {
				if err := tx.CreateLoan(&l); err != nil {
					t.Fatalf("loan %d: %v", i, err)
				}
			}
			for _, e := range []library.FineEntry{
				{PatronID: both.ID, Kind: library.FineCharge, Amount: 500},
				{PatronID: both.ID, Kind: library.FinePayment, Amount: 200, Method: library.PayCash, Receipt: "R-1"},
				{PatronID: finesOnly.ID, Kind: library.FineCharge, Amount: 900},
			} {
				if err := tx.AddFine(&e); err != nil {
					return err
				}
			}
			return nil
		})
		view(t, db, func(tx library.Tx) error {
			for _, p := range []library.Patron{both, loansOnly, finesOnly, neither} {
				wantLoans, err := tx.OpenLoans(p.ID)
				if err != nil {
					return err
				}
				wantBalance, err := tx.FineBalance(p.ID)
				if err != nil {
					return err
				}
				loans, balance, err := tx.OpenLoansAndBalance(p.ID)
				if err != nil {
					return err
				}
				diff(t, "loans of "+p.Barcode, loans, wantLoans)
				if balance != wantBalance {
					t.Errorf("balance of %s = %v, want %v", p.Barcode, balance, wantBalance)
				}
			}
			loans, balance, err := tx.OpenLoansAndBalance(both.ID)
			if len(loans) != 3 || loans[0].Item.ID != items[1].ID || loans[1].Item.ID != items[5].ID ||
				!loans[1].Item.Withdrawn || loans[2].Renewals != 2 || balance != 300 {
				t.Errorf("record of %s: %+v, balance %v", both.Barcode, loans, balance)
			}
			return err
		})
	})
}
