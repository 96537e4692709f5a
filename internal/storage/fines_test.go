package storage_test

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

func TestFines(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		other := addPatron(t, db, "20240002")
		item := addItems(t, db, 1)[0]
		loan := library.Loan{PatronID: p.ID, Item: item, CheckedOutAt: at(1, 9, 0), DueAt: at(2, 9, 0)}
		update(t, db, func(tx library.Tx) error { return tx.CreateLoan(&loan) })

		entries := []library.FineEntry{
			{PatronID: p.ID, LoanID: loan.ID, Kind: library.FineCharge, Amount: 1250, Note: "overdue 5 days", CreatedAt: at(8, 9, 0)},
			{PatronID: p.ID, Kind: library.FineCharge, Amount: 500},
			{PatronID: p.ID, Kind: library.FinePayment, Amount: 1000, Method: library.PayCash, Receipt: "C20261201-001", TakenBy: "staff:dee", Note: "cash"},
			{PatronID: p.ID, Kind: library.FineWaiver, Amount: 50, TakenBy: "staff:ada"},
			{PatronID: other.ID, Kind: library.FineCharge, Amount: 99999},
		}
		update(t, db, func(tx library.Tx) error {
			for i := range entries {
				if err := tx.AddFine(&entries[i]); err != nil {
					return err
				}
				if entries[i].ID == 0 || entries[i].CreatedAt.IsZero() {
					t.Errorf("AddFine did not set ID and time: %+v", entries[i])
				}
			}
			return nil
		})
		view(t, db, func(tx library.Tx) error {
			for _, tt := range []struct {
				patronID int64
				want     library.Money
			}{{p.ID, 700}, {other.ID, 99999}, {999, 0}} {
				got, err := tx.FineBalance(tt.patronID)
				if err != nil {
					return err
				}
				diff(t, "FineBalance", got, tt.want)
			}
			return nil
		})

		for _, tt := range []struct {
			name string
			e    library.FineEntry
			code string
		}{
			{"zero amount", library.FineEntry{PatronID: p.ID, Kind: library.FineCharge}, library.EINVALID},
			{"negative amount", library.FineEntry{PatronID: p.ID, Kind: library.FinePayment, Amount: -5, Method: library.PayCash, Receipt: "R-9"}, library.EINVALID},
			{"unknown kind", library.FineEntry{PatronID: p.ID, Kind: "bribe", Amount: 5}, library.EINVALID},
			{"unknown patron", library.FineEntry{PatronID: 999, Kind: library.FineCharge, Amount: 5}, library.ENOTFOUND},
			{"unknown loan", library.FineEntry{PatronID: p.ID, LoanID: 999, Kind: library.FineCharge, Amount: 5}, library.ENOTFOUND},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.Update(t.Context(), func(tx library.Tx) error { return tx.AddFine(&tt.e) }), tt.code)
			})
		}
	})
}
