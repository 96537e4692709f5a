package storage_test

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

func TestSearchPatronsAndItems(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		update(t, db, func(tx library.Tx) error {
			for _, p := range []library.Patron{
				{Barcode: "20240001", Name: "Chan Tai Man", Email: "tm.chan@example.edu.hk"},
				{Barcode: "20240002", Name: "CHAN 50% Off", Email: ""},
				{Barcode: "20240003", Name: "Wong_Ka Yan", Email: "CHAN.wk@example.edu.hk"},
				{Barcode: "20240004", Name: `Back\slash`, Email: ""},
			} {
				p.Category, p.PIN.Kind = "student", library.PINNone
				if err := tx.CreatePatron(&p); err != nil {
					return err
				}
			}
			for _, it := range []library.Item{
				{Barcode: "B0001", Title: "Hong Kong Cinema", Author: "Teo, Stephen", CallNumber: "PN1993.5 .H6"},
				{Barcode: "B0002", Title: "Cantonese: A Comprehensive Grammar", Author: "Matthews, Stephen", CallNumber: "PL1736 .M38"},
			} {
				if err := tx.CreateItem(&it); err != nil {
					return err
				}
			}
			return nil
		})
		patrons := func(text string) []string {
			var got []string
			view(t, db, func(tx library.Tx) error {
				found, err := tx.SearchPatrons(library.PatronQuery{Text: text, Limit: 10})
				for _, p := range found {
					got = append(got, p.Barcode)
				}
				return err
			})
			return got
		}
		for text, want := range map[string][]string{
			"chan":      {"20240002", "20240001", "20240003"}, // by name, the email match last
			"50%":       {"20240002"},
			"%":         {"20240002"},
			"_":         {"20240003"},
			`\`:         {"20240004"},
			"2024-0003": {"20240003"},
			"nobody":    nil,
		} {
			diff(t, "SearchPatrons("+text+")", patrons(text), want)
		}
		view(t, db, func(tx library.Tx) error {
			found, err := tx.SearchPatrons(library.PatronQuery{Text: "chan", Limit: 1, Offset: 1})
			if len(found) != 1 || found[0].Barcode != "20240001" {
				t.Errorf("second page of one: %+v", found)
			}
			items, err2 := tx.SearchItems(library.ItemQuery{Text: "stephen", Limit: 10})
			if len(items) != 2 || items[0].Item.Barcode != "B0002" || items[0].Loan.ID != 0 {
				t.Errorf("SearchItems(stephen): %+v", items)
			}
			items, _ = tx.SearchItems(library.ItemQuery{Text: "pn1993", Limit: 10})
			if len(items) != 1 || items[0].Item.Barcode != "B0001" {
				t.Errorf("SearchItems by call number: %+v", items)
			}
			if err == nil {
				err = err2
			}
			return err
		})
	})
}

// A former barcode is kept, unique, and refused to any new patron.
func TestFormerBarcodes(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		update(t, db, func(tx library.Tx) error {
			if err := tx.RetireBarcode(p.ID, "20239999", at(1, 9, 0)); err != nil {
				return err
			}
			return tx.RetireBarcode(p.ID, "20238888", at(2, 9, 0))
		})
		view(t, db, func(tx library.Tx) error {
			got, err := tx.FormerBarcodes(p.ID)
			diff(t, "FormerBarcodes", got, []library.FormerBarcode{{Barcode: "20239999", ReplacedAt: at(1, 9, 0)}, {Barcode: "20238888", ReplacedAt: at(2, 9, 0)}})
			retired, err2 := tx.BarcodeRetired("20238888")
			if !retired {
				t.Error("BarcodeRetired = false for a former barcode")
			}
			if retired, _ := tx.BarcodeRetired("20240001"); retired {
				t.Error("BarcodeRetired = true for a current barcode")
			}
			if err == nil {
				err = err2
			}
			return err
		})
		err := db.Update(t.Context(), func(tx library.Tx) error { return tx.RetireBarcode(p.ID, "20239999", at(3, 9, 0)) })
		wantCode(t, err, library.ECONFLICT)
		err = db.Update(t.Context(), func(tx library.Tx) error {
			q := library.Patron{Barcode: "20239999", Category: "student", PIN: library.PINRecord{Kind: library.PINNone}}
			return tx.CreatePatron(&q)
		})
		wantCode(t, err, library.ECONFLICT)
	})
}

// A request token is claimed once, on any connection; old ones are forgotten.
func TestDeskRequests(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		update(t, db, func(tx library.Tx) error { return tx.ClaimRequest("tok-1", "pin.reset", "staff:dee", at(1, 9, 0)) })
		err := db.Update(t.Context(), func(tx library.Tx) error { return tx.ClaimRequest("tok-1", "pin.reset", "staff:dee", at(1, 9, 1)) })
		wantCode(t, err, library.ECONFLICT)
		update(t, db, func(tx library.Tx) error { return tx.DeleteOldRequests(at(2, 0, 0)) })
		update(t, db, func(tx library.Tx) error { return tx.ClaimRequest("tok-1", "pin.reset", "staff:dee", at(2, 9, 1)) })
	})
}

func TestFineEntriesAndAuditSearch(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		entries := []library.FineEntry{
			{PatronID: p.ID, Kind: library.FineCharge, Amount: 900, Note: "overdue", CreatedAt: at(1, 9, 0)},
			{PatronID: p.ID, Kind: library.FinePayment, Amount: 400, Method: library.PayCard, Receipt: "T-4417", TakenBy: "staff:dee", Note: "cash", CreatedAt: at(2, 9, 0)},
			{PatronID: p.ID, Kind: library.FineWaiver, Amount: 100, TakenBy: "staff:ada", Note: "goodwill", CreatedAt: at(3, 9, 0)},
		}
		audit := []library.AuditEntry{
			{At: at(1, 9, 0), Actor: "staff:dee", PatronID: p.ID, Action: "pin.reset", Addr: "192.0.2.1"},
			{At: at(2, 9, 0), Actor: "staff:ada", PatronID: p.ID, Action: "fine.waiver", Detail: "waiver"},
			{At: at(3, 9, 0), Actor: "staff:dee", Action: "item.add"},
			{At: at(4, 9, 0), Actor: "patron", PatronID: p.ID, Action: "pin_x"},
		}
		update(t, db, func(tx library.Tx) error {
			for i := range entries {
				if err := tx.AddFine(&entries[i]); err != nil {
					return err
				}
			}
			for i := range audit {
				if err := tx.AddAudit(&audit[i]); err != nil {
					return err
				}
			}
			return nil
		})
		search := func(f library.AuditFilter) []string {
			var got []string
			view(t, db, func(tx library.Tx) error {
				if f.Limit == 0 {
					f.Limit = 10
				}
				found, err := tx.SearchAudit(f)
				for _, e := range found {
					got = append(got, e.Action)
				}
				return err
			})
			return got
		}
		diff(t, "all", search(library.AuditFilter{}), []string{"pin_x", "item.add", "fine.waiver", "pin.reset"})
		diff(t, "by patron", search(library.AuditFilter{PatronID: p.ID}), []string{"pin_x", "fine.waiver", "pin.reset"})
		diff(t, "by actor", search(library.AuditFilter{Actor: "staff:dee"}), []string{"item.add", "pin.reset"})
		diff(t, "by action prefix: _ is no wildcard", search(library.AuditFilter{Action: "pin."}), []string{"pin.reset"})
		diff(t, "by period", search(library.AuditFilter{From: at(2, 0, 0), Until: at(3, 9, 0)}), []string{"fine.waiver"})
		diff(t, "before an id", search(library.AuditFilter{BeforeID: audit[2].ID, Limit: 1}), []string{"fine.waiver"})
		view(t, db, func(tx library.Tx) error {
			got, err := tx.SearchAudit(library.AuditFilter{Actor: "staff:dee", Action: "pin.reset", Limit: 5})
			want := audit[0]
			want.PatronBarcode = p.Barcode // the search names the patron
			diff(t, "entry with its address", got, []library.AuditEntry{want})
			ledger, err2 := tx.FineEntries(p.ID)
			diff(t, "FineEntries", ledger, entries)
			if err == nil {
				err = err2
			}
			return err
		})
	})
}
