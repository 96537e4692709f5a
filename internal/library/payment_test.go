package library_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// ledger returns the patron's fine ledger.
func (f *fixture) ledger(p library.Patron) []library.FineEntry {
	f.t.Helper()
	var out []library.FineEntry
	err := f.svc.Store().View(f.ctx, func(tx library.Tx) error {
		var err error
		out, err = tx.FineEntries(p.ID)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// payments returns the payments of the patron's ledger.
func (f *fixture) payments(p library.Patron) []library.FineEntry {
	f.t.Helper()
	return slices.DeleteFunc(f.ledger(p), func(e library.FineEntry) bool { return e.Kind != library.FinePayment })
}

// A desk payment says how it was paid; a card or online one carries the
// slip's number; a cash one without a number gets the next of the day's,
// in the library's time zone; a bad or reserved number is refused; and
// the audit log has the method and the receipt. Nothing refused is
// recorded.
func TestDeskPaymentMethodAndReceipt(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		p := f.patron("21034567", nil)
		f.charge(p, 5000)
		pay := func(method library.PaymentMethod, receipt string, amount library.Money) (library.Paid, error) {
			return f.svc.SettleFine(f.ctx, desk, library.FineRequest{PatronID: p.ID, Kind: library.FinePayment, Amount: amount,
				Method: method, Receipt: receipt})
		}
		for _, tt := range []struct {
			name    string
			method  library.PaymentMethod
			receipt string
			want    error
		}{
			{"no method", "", "R-1", library.ErrMethodMissing},
			{"an unknown method", "cheque", "R-1", library.ErrMethodMissing},
			{"card without a slip number", library.PayCard, "  ", library.ErrReceiptMissing},
			{"online without a reference", library.PayOnline, "", library.ErrReceiptMissing},
			{"a number over 64 characters", library.PayCard, strings.Repeat("7", 65), library.ErrReceiptBad},
			{"a number on two lines", library.PayCard, "R-1\nR-2", library.ErrReceiptBad},
			{"a number in Carrel's own form", library.PayCash, "C20261128-001", library.ErrReceiptReserved},
			{"the same in lower case", library.PayCard, "c20261128-5", library.ErrReceiptReserved},
		} {
			if _, err := pay(tt.method, tt.receipt, 100); !errors.Is(err, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
			}
		}
		if got := f.payments(p); len(got) != 0 {
			t.Fatalf("refused payments recorded: %+v", got)
		}

		card, err := pay(library.PayCard, " T-88231 ", 300)
		if err != nil || card.Entry.Receipt != "T-88231" || card.Entry.Method != library.PayCard || card.Balance != 4700 {
			t.Errorf("card payment: %+v, %v", card, err)
		}
		for i, want := range []string{"C20261128-001", "C20261128-002"} {
			paid, err := pay(library.PayCash, "", 100)
			if err != nil || paid.Entry.Receipt != want || paid.Entry.TakenBy != "staff:dee" {
				t.Errorf("cash payment %d: receipt %q by %q, %v; want %s", i+1, paid.Entry.Receipt, paid.Entry.TakenBy, err, want)
			}
		}
		// 23:59 on the 28th and 00:01 on the 29th, Hong Kong time: two days.
		loc := f.svc.Config().Location()
		f.now = time.Date(2026, 11, 28, 23, 59, 0, 0, loc)
		if paid, _ := pay(library.PayCash, "", 100); paid.Entry.Receipt != "C20261128-003" {
			t.Errorf("at 23:59: receipt %q, want C20261128-003", paid.Entry.Receipt)
		}
		f.now = time.Date(2026, 11, 29, 0, 1, 0, 0, loc)
		if paid, _ := pay(library.PayCash, "", 100); paid.Entry.Receipt != "C20261129-001" {
			t.Errorf("at 00:01 the next day: receipt %q, want C20261129-001", paid.Entry.Receipt)
		}
		e := f.auditHas("fine.payment", p.ID, desk)
		if !strings.Contains(e.Detail, "by cash, receipt C20261129-001") {
			t.Errorf("audit of a payment: %q", e.Detail)
		}
		// A waiver is no payment: no method, no receipt.
		admin := f.admin()
		_, err = f.svc.SettleFine(f.ctx, admin, library.FineRequest{PatronID: p.ID, Kind: library.FineWaiver, Amount: 100,
			Method: library.PayCash, Note: "goodwill"})
		wantCode(t, "a waiver with a method", err, library.EINVALID)
		w, err := f.svc.SettleFine(f.ctx, admin, library.FineRequest{PatronID: p.ID, Kind: library.FineWaiver, Amount: 100, Note: "goodwill"})
		if err != nil || w.Entry.Method != "" || w.Entry.Receipt != "" || w.Entry.TakenBy != "staff:ada" {
			t.Errorf("waiver: %+v, %v", w.Entry, err)
		}
	})
}

// A receipt number is recorded once per patron: the same payment again
// records nothing and says so, with the earlier payment and the balance
// as it is now (even when nothing is owed any more); another amount with
// that number is refused with the earlier payment; another patron may
// have a slip with the same number.
func TestReceiptRecordedOnce(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		p := f.patron("21034567", nil)
		other := f.patron("21034568", nil)
		f.charge(p, 2000)
		f.charge(other, 2000)
		pay := func(who library.Patron, amount library.Money, token string) (library.Paid, error) {
			return f.svc.SettleFine(f.ctx, desk, library.FineRequest{PatronID: who.ID, Kind: library.FinePayment, Amount: amount,
				Method: library.PayCard, Receipt: "R-123", RequestToken: token})
		}
		first, err := pay(p, 2000, library.NewRequestToken())
		if err != nil || first.AlreadyRecorded || first.Balance != 0 {
			t.Fatalf("first payment: %+v, %v", first, err)
		}
		f.now = f.now.Add(time.Hour)
		again, err := pay(p, 2000, library.NewRequestToken())
		if err != nil || !again.AlreadyRecorded || again.Entry.ID != first.Entry.ID || again.Balance != 0 {
			t.Errorf("the same receipt again: %+v, %v; want the first payment, already recorded", again, err)
		}
		_, err = pay(p, 500, library.NewRequestToken())
		if taken, ok := library.AsReceiptTaken(err); !ok || taken.Earlier.ID != first.Entry.ID || library.ErrorCode(err) != library.ECONFLICT {
			t.Errorf("the same receipt for another amount: %v", err)
		}
		if got := f.payments(p); len(got) != 1 {
			t.Errorf("%d payments recorded for one receipt, want 1", len(got))
		}
		if paid, err := pay(other, 2000, ""); err != nil || paid.AlreadyRecorded {
			t.Errorf("another patron's slip with the same number: %+v, %v", paid, err)
		}
	})
}

// The same receipt sent at once from many places (two desks, a kiosk
// retrying on a new connection) is recorded once and every request is
// told it was paid; cash payments made at once each get a receipt number
// of their own. On both databases.
func TestReceiptRace(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		p := f.patron("21034567", nil)
		f.charge(p, 5000)
		const n = 8
		var wg sync.WaitGroup
		results := make([]library.Paid, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				results[i], errs[i] = f.svc.PayFine(f.ctx, "sip2:kiosk-1", library.FeePayment{PatronBarcode: p.Barcode, Amount: 1200,
					Method: library.PayCash, Receipt: "BK-77"})
			})
		}
		wg.Wait()
		recorded := 0
		for i := range n {
			if errs[i] != nil || results[i].Balance != 3800 {
				t.Errorf("request %d: balance %s, %v; want HKD 38.00", i, results[i].Balance, errs[i])
			}
			if !results[i].AlreadyRecorded {
				recorded++
			}
		}
		if got := f.payments(p); len(got) != 1 || recorded != 1 {
			t.Errorf("%d payments in the ledger, %d requests recorded one; want 1 and 1", len(got), recorded)
		}

		patrons := make([]library.Patron, n)
		for i := range n {
			patrons[i] = f.patron(fmt.Sprintf("2200000%d", i), nil)
			f.charge(patrons[i], 100)
		}
		receipts := make([]string, n)
		for i := range n {
			wg.Go(func() {
				paid, err := f.svc.SettleFine(f.ctx, desk, library.FineRequest{PatronID: patrons[i].ID, Kind: library.FinePayment,
					Amount: 100, Method: library.PayCash})
				if err != nil {
					t.Errorf("cash payment %d: %v", i, err)
				}
				receipts[i] = paid.Entry.Receipt
			})
		}
		wg.Wait()
		slices.Sort(receipts)
		if len(slices.Compact(slices.Clone(receipts))) != n || receipts[0] != "C20261128-001" || receipts[n-1] != "C20261128-008" {
			t.Errorf("receipt numbers of %d cash payments at once: %v", n, receipts)
		}
	})
}
