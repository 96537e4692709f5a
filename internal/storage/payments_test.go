package storage_test

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// TestPaymentRulesInSchema proves the schema itself keeps the ledger's
// payments apart from its other entries, whatever code writes to it: a
// payment always has a known method, charges and waivers never have one
// nor a receipt, a payment by a known method has a receipt number, and a
// receipt number is recorded once per patron (another patron may have
// the same slip number); on both databases.
func TestPaymentRulesInSchema(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		other := addPatron(t, db, "20240002")
		first := library.FineEntry{PatronID: p.ID, Kind: library.FinePayment, Amount: 500, Method: library.PayCard,
			Receipt: "T-0042", TakenBy: "staff:dee", CreatedAt: at(2, 9, 0)}
		update(t, db, func(tx library.Tx) error {
			if err := tx.AddFine(&library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: 900, CreatedAt: at(1, 9, 0)}); err != nil {
				return err
			}
			return tx.AddFine(&first)
		})
		pay := func(patronID int64, method library.PaymentMethod, receipt string) library.FineEntry {
			return library.FineEntry{PatronID: patronID, Kind: library.FinePayment, Amount: 100, Method: method, Receipt: receipt, CreatedAt: at(3, 9, 0)}
		}
		for _, tt := range []struct {
			name string
			e    library.FineEntry
			code string
		}{
			{"payment without a method", pay(p.ID, "", "R-1"), library.EINVALID},
			{"payment by an unknown method", pay(p.ID, "cheque", "R-1"), library.EINVALID},
			{"card payment without a receipt", pay(p.ID, library.PayCard, ""), library.EINVALID},
			{"cash payment without a receipt", pay(p.ID, library.PayCash, ""), library.EINVALID},
			{"charge with a method", library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: 5, Method: library.PayCash, Receipt: "R-2"}, library.EINVALID},
			{"waiver with a receipt", library.FineEntry{PatronID: p.ID, Kind: library.FineWaiver, Amount: 5, Receipt: "R-3"}, library.EINVALID},
			{"the same receipt for the same patron", pay(p.ID, library.PayCash, "T-0042"), library.ECONFLICT},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.Update(t.Context(), func(tx library.Tx) error { return tx.AddFine(&tt.e) }), tt.code)
			})
		}
		// Another patron's slip may carry the same number.
		update(t, db, func(tx library.Tx) error {
			e := pay(other.ID, library.PayCard, "T-0042")
			return tx.AddFine(&e)
		})
		view(t, db, func(tx library.Tx) error {
			got, err := tx.PaymentByReceipt(p.ID, "T-0042")
			if err != nil {
				return err
			}
			diff(t, "PaymentByReceipt", got, first)
			if _, err := tx.PaymentByReceipt(p.ID, "t-0042"); library.ErrorCode(err) != library.ENOTFOUND {
				t.Errorf("a receipt in another case: %v, want ENOTFOUND", err)
			}
			if _, err := tx.PaymentByReceipt(p.ID, ""); library.ErrorCode(err) != library.ENOTFOUND {
				t.Errorf("no receipt: %v, want ENOTFOUND", err)
			}
			byID, err := tx.FineEntryByID(first.ID)
			if err != nil {
				return err
			}
			diff(t, "FineEntryByID", byID, first)
			if _, err := tx.FineEntryByID(987654); library.ErrorCode(err) != library.ENOTFOUND {
				t.Errorf("FineEntryByID of nothing: %v, want ENOTFOUND", err)
			}
			balance, err := tx.FineBalance(p.ID)
			diff(t, "balance", balance, library.Money(400))
			return err
		})
	})
}

// TestTakenBetween proves the cash-up's read: the payments and waivers
// recorded in a period, by one account or by all, with their patrons'
// barcodes, oldest first, never a charge; and the day's last receipt
// number Carrel issued, on both databases.
func TestTakenBetween(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		q := addPatron(t, db, "20240002")
		cash := func(patronID int64, receipt, by string, when int) library.FineEntry {
			return library.FineEntry{PatronID: patronID, Kind: library.FinePayment, Amount: 100, Method: library.PayCash,
				Receipt: receipt, TakenBy: by, CreatedAt: at(2, when, 0)}
		}
		entries := []library.FineEntry{
			{PatronID: p.ID, Kind: library.FineCharge, Amount: 5000, CreatedAt: at(1, 9, 0)},
			{PatronID: q.ID, Kind: library.FineCharge, Amount: 5000, CreatedAt: at(1, 9, 0)},
			cash(p.ID, "C20250302-009", "staff:dee", 9),
			cash(q.ID, "C20250302-010", "sip2:kiosk-1", 10),
			{PatronID: p.ID, Kind: library.FineCharge, Amount: 300, CreatedAt: at(2, 11, 0)},
			{PatronID: q.ID, Kind: library.FineWaiver, Amount: 200, TakenBy: "staff:ada", Note: "goodwill", CreatedAt: at(2, 12, 0)},
			cash(p.ID, "C20250302-008", "staff:dee", 13),
			{PatronID: p.ID, Kind: library.FinePayment, Amount: 700, Method: library.PayOnline, Receipt: "C20250302-999x",
				TakenBy: "staff:dee", CreatedAt: at(2, 14, 0)},
			cash(p.ID, "C20250303-001", "staff:dee", 9+24), // the next day
		}
		entries[len(entries)-1].CreatedAt = at(3, 9, 0)
		update(t, db, func(tx library.Tx) error {
			for i := range entries {
				if err := tx.AddFine(&entries[i]); err != nil {
					return err
				}
			}
			return nil
		})
		line := func(i int, barcode string) library.LedgerLine {
			return library.LedgerLine{FineEntry: entries[i], PatronBarcode: barcode}
		}
		view(t, db, func(tx library.Tx) error {
			all, err := tx.TakenBetween(at(2, 0, 0), at(3, 0, 0), "")
			if err != nil {
				return err
			}
			diff(t, "all accounts", all, []library.LedgerLine{line(2, p.Barcode), line(3, q.Barcode), line(5, q.Barcode), line(6, p.Barcode), line(7, p.Barcode)})
			dee, err := tx.TakenBetween(at(2, 0, 0), at(3, 0, 0), "staff:dee")
			if err != nil {
				return err
			}
			diff(t, "staff:dee", dee, []library.LedgerLine{line(2, p.Barcode), line(6, p.Barcode), line(7, p.Barcode)})
			none, err := tx.TakenBetween(at(2, 0, 0), at(3, 0, 0), "staff:nobody")
			if err != nil || len(none) != 0 {
				t.Errorf("an account that took nothing: %v, %v", none, err)
			}
			// The highest of the day's numbers: by length, then as text.
			last, err := tx.LastIssuedReceipt("C20250302-", at(2, 0, 0), at(3, 0, 0))
			diff(t, "last receipt", last, "C20250302-999x")
			if err != nil {
				return err
			}
			last, err = tx.LastIssuedReceipt("C20250304-", at(4, 0, 0), at(5, 0, 0))
			diff(t, "last receipt of a day without any", last, "")
			return err
		})
	})
}
