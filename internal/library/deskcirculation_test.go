package library_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// Every reason the desk's check-out refuses, each on its own.
func TestDeskCheckoutRefusals(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		f.patron("20000001", nil)
		f.patron("20000002", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
		f.patron("20000003", func(p *library.Patron) { p.BlockedReason = "lost items" })
		f.patron("20000004", func(p *library.Patron) { p.ExpiresOn = library.NewDate(2026, 8, 31) })
		fines := f.patron("20000005", nil)
		f.charge(fines, 5000)
		full := f.patron("20000006", nil)
		for i := range 10 {
			f.loan(full, f.item(fmt.Sprintf("3900%03d", i)), f.now, f.now.Add(14*24*time.Hour), 0)
		}
		f.patron("20000007", func(p *library.Patron) { p.Category = "alumni" })
		f.item("3100001")
		lent := f.item("3100002")
		f.loan(f.patron("20000008", nil), lent, f.now, f.now.Add(14*24*time.Hour), 0)
		gone := f.item("3100003")
		gone.Withdrawn = true
		f.update(func(tx library.Tx) error { return tx.UpdateItem(gone) })

		out := func(patron, item string) error {
			_, err := f.svc.DeskCheckout(f.ctx, desk, library.CheckoutRequest{PatronBarcode: patron, ItemBarcode: item})
			return err
		}
		for _, c := range []struct {
			patron, item string
			want         library.Reason
		}{
			{"20000002", "3100001", library.ReasonNotRegistered},
			{"20000003", "3100001", library.ReasonBlocked},
			{"20000004", "3100001", library.ReasonExpired},
			{"20000005", "3100001", library.ReasonFines},
			{"20000006", "3100001", library.ReasonLoanLimit},
			{"20000007", "3100001", library.ReasonUnknownCategory},
			{"20000001", "3100002", library.ReasonItemOnLoan},
			{"20000001", "3100003", library.ReasonItemNotForLoan},
		} {
			wantRefusal(t, c.patron+" borrowing "+c.item, out(c.patron, c.item), c.want)
		}
		r, _ := library.AsRefusal(out("20000005", "3100001"))
		if r == nil || r.Balance != 5000 || r.Threshold != 5000 {
			t.Errorf("fines refusal without its figures: %+v", r)
		}
		r, _ = library.AsRefusal(out("20000006", "3100001"))
		if r == nil || r.Limit != 10 {
			t.Errorf("loan limit refusal without the limit: %+v", r)
		}
		wantCode(t, "unknown patron barcode", out("29999999", "3100001"), library.ENOTFOUND)
		wantCode(t, "unknown item barcode", out("20000001", "3999999"), library.ENOTFOUND)
		if err := out("20000001", "3100001"); err != nil {
			t.Errorf("a good check-out: %v", err)
		}
	})
}

// An admin may override a refusal about the patron, with a reason that is
// recorded; a desk account may not; no one overrides a refusal about the
// item or an unregistered card holder.
func TestCheckoutOverride(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		admin, desk := f.admin(), f.desk()
		blocked := f.patron("20000003", func(p *library.Patron) { p.BlockedReason = "lost items" })
		f.patron("20000002", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
		f.item("3100001")
		f.item("3100004")
		req := library.CheckoutRequest{PatronBarcode: "20000003", ItemBarcode: "3100001", Override: "exam week, head librarian agreed"}
		if _, err := f.svc.DeskCheckout(f.ctx, desk, req); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("a desk account overriding: %v", err)
		}
		l, err := f.svc.DeskCheckout(f.ctx, admin, req)
		if err != nil {
			t.Fatalf("an admin overriding a block: %v", err)
		}
		if l.PatronID != blocked.ID {
			t.Errorf("lent to patron %d", l.PatronID)
		}
		e := f.auditHas("loan.checkout.override", blocked.ID, admin)
		if !strings.Contains(e.Detail, "blocked") || !strings.Contains(e.Detail, "head librarian agreed") {
			t.Errorf("override audit detail %q lacks the refusal or the reason", e.Detail)
		}
		req = library.CheckoutRequest{PatronBarcode: "20000002", ItemBarcode: "3100004", Override: "please"}
		wantRefusal(t, "overriding a card holder", func() error { _, err := f.svc.DeskCheckout(f.ctx, admin, req); return err }(), library.ReasonNotRegistered)
		req = library.CheckoutRequest{PatronBarcode: "20000003", ItemBarcode: "3100001", Override: "please"}
		wantRefusal(t, "overriding an item on loan", func() error { _, err := f.svc.DeskCheckout(f.ctx, admin, req); return err }(), library.ReasonItemOnLoan)
	})
}

// 50 simultaneous check-outs of one item at the desk lend it once.
func TestConcurrentCheckoutsOfOneItem(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		it := f.item("3100001")
		var patrons []library.Patron
		for i := range 50 {
			patrons = append(patrons, f.patron(fmt.Sprintf("26%06d", i), nil))
		}
		var o outcome
		var wg sync.WaitGroup
		for _, p := range patrons {
			wg.Go(func() {
				_, err := f.svc.DeskCheckout(f.ctx, desk, library.CheckoutRequest{PatronBarcode: p.Barcode, ItemBarcode: it.Barcode})
				o.add(err)
			})
		}
		wg.Wait()
		if o.counts["ok"] != 1 || o.counts[string(library.ReasonItemOnLoan)] != 49 {
			t.Errorf("50 check-outs of one item: %v, want 1 ok and 49 item_on_loan", o.counts)
		}
	})
}

// 20 simultaneous check-outs for a patron with 15 slots left lend 15.
func TestConcurrentCheckoutsToTheLimit(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		p := f.patron("S2231", func(p *library.Patron) { p.Category = "staff" }) // 30 items
		for i := range 15 {
			f.loan(p, f.item(fmt.Sprintf("3800%03d", i)), f.now, f.now.Add(28*24*time.Hour), 0)
		}
		var items []library.Item
		for i := range 20 {
			items = append(items, f.item(fmt.Sprintf("3700%03d", i)))
		}
		var o outcome
		var wg sync.WaitGroup
		for _, it := range items {
			wg.Go(func() {
				_, err := f.svc.DeskCheckout(f.ctx, desk, library.CheckoutRequest{PatronBarcode: p.Barcode, ItemBarcode: it.Barcode})
				o.add(err)
			})
		}
		wg.Wait()
		if o.counts["ok"] != 15 || o.counts[string(library.ReasonLoanLimit)] != 5 {
			t.Errorf("20 check-outs with 15 slots left: %v, want 15 ok and 5 loan_limit", o.counts)
		}
		rec, err := f.svc.BorrowingRecord(f.ctx, p.ID)
		if err != nil || len(rec.Loans) != 30 {
			t.Errorf("loans after the race: %d, %v", len(rec.Loans), err)
		}
	})
}

// A form submitted twice acts once: one loan, one renewal, one payment,
// and a check-in scanned twice charges once.
func TestDoubleSubmission(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		p := f.patron("21034567", nil)
		it := f.item("3100001")
		token := library.NewRequestToken()
		var o outcome
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				_, err := f.svc.DeskCheckout(f.ctx, desk, library.CheckoutRequest{PatronBarcode: p.Barcode, ItemBarcode: it.Barcode, RequestToken: token})
				o.add(err)
			})
		}
		wg.Wait()
		if o.counts["ok"] != 1 || o.counts[library.ErrAlreadyDone.Error()] != 1 {
			t.Errorf("a check-out sent twice: %v", o.counts)
		}
		rec, _ := f.svc.BorrowingRecord(f.ctx, p.ID)
		if len(rec.Loans) != 1 {
			t.Fatalf("%d loans", len(rec.Loans))
		}

		token = library.NewRequestToken()
		f.now = f.now.Add(3 * 24 * time.Hour) // a renewal on the day of the loan would gain nothing
		for range 2 {
			f.svc.DeskRenew(f.ctx, desk, p.ID, []int64{rec.Loans[0].ID}, token)
		}
		rec, _ = f.svc.BorrowingRecord(f.ctx, p.ID)
		if rec.Loans[0].Renewals != 1 {
			t.Errorf("a renewal sent twice: %d renewals", rec.Loans[0].Renewals)
		}

		f.now = rec.Loans[0].DueAt.Add(3 * 24 * time.Hour)
		first, err := f.svc.DeskCheckin(f.ctx, desk, it.Barcode)
		if err != nil || first.Charged != 300 {
			t.Fatalf("check-in: charged %v, %v", first.Charged, err)
		}
		if _, err := f.svc.DeskCheckin(f.ctx, desk, it.Barcode); library.ErrorCode(err) != library.ENOTFOUND {
			t.Errorf("the same check-in again: %v, want ENOTFOUND (not on loan)", err)
		}

		token = library.NewRequestToken()
		var pay outcome
		for range 2 {
			wg.Go(func() {
				_, err := f.svc.SettleFine(f.ctx, desk, library.FineRequest{PatronID: p.ID, Kind: library.FinePayment, Amount: 100, Method: library.PayCash, Note: "cash", RequestToken: token})
				pay.add(err)
			})
		}
		wg.Wait()
		rec, _ = f.svc.BorrowingRecord(f.ctx, p.ID)
		if rec.FineBalance != 200 || pay.counts["ok"] != 1 {
			t.Errorf("a payment sent twice: balance %v (%v), want HKD 2.00", rec.FineBalance, pay.counts)
		}
	})
}

// The balance is always charges minus payments and waivers; waivers are
// an admin's, and nothing is paid or waived beyond the balance.
func TestFineArithmetic(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		admin, desk := f.admin(), f.desk()
		p := f.patron("21034567", nil)
		f.charge(p, 1000)
		f.charge(p, 550)
		settle := func(by library.Actor, kind library.FineKind, amount library.Money, note string) (library.Paid, error) {
			req := library.FineRequest{PatronID: p.ID, Kind: kind, Amount: amount, Note: note}
			if kind == library.FinePayment {
				req.Method = library.PayCash
			}
			return f.svc.SettleFine(f.ctx, by, req)
		}
		paid, err := settle(desk, library.FinePayment, 300, "cash at the counter")
		if err != nil || paid.Balance != 1250 {
			t.Errorf("payment: balance %v, %v", paid.Balance, err)
		}
		if _, err := settle(desk, library.FineWaiver, 200, "first offence"); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("a desk account waiving: %v", err)
		}
		_, err = settle(admin, library.FineWaiver, 200, "")
		wantCode(t, "a waiver without a note", err, library.EINVALID)
		paid, err = settle(admin, library.FineWaiver, 250, "book was returned in the book drop on time")
		if err != nil || paid.Balance != 1000 {
			t.Errorf("waiver: balance %v, %v", paid.Balance, err)
		}
		_, err = settle(desk, library.FinePayment, 1001, "cash")
		r, _ := library.AsRefusal(err)
		if r == nil || r.Reason != library.ReasonOverpayment || r.Balance != 1000 {
			t.Errorf("paying more than the balance: %v", err)
		}
		_, err = settle(admin, library.FineWaiver, 1001, "too much")
		wantRefusal(t, "waiving more than the balance", err, library.ReasonOverpayment)
		_, err = settle(desk, library.FinePayment, -5, "cash")
		wantCode(t, "a negative payment", err, library.EINVALID)
		_, err = settle(desk, "refund", 5, "cash")
		wantCode(t, "an unknown kind", err, library.EINVALID)
		if paid, err = settle(desk, library.FinePayment, 1000, "octopus card"); err != nil || paid.Balance != 0 {
			t.Errorf("paying it all: %v, %v", paid.Balance, err)
		}
		_, err = settle(desk, library.FinePayment, 1, "cash")
		wantRefusal(t, "paying with nothing owed", err, library.ReasonOverpayment)

		file, err := f.svc.PatronFile(f.ctx, desk, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var charges, credits library.Money
		for _, e := range file.Fines {
			if e.Kind == library.FineCharge {
				charges += e.Amount
			} else {
				credits += e.Amount
			}
		}
		if len(file.Fines) != 5 || charges != 1550 || credits != 1550 || file.Record.FineBalance != charges-credits {
			t.Errorf("ledger %d entries, charges %v, payments and waivers %v, balance %v", len(file.Fines), charges, credits, file.Record.FineBalance)
		}
		f.auditHas("fine.payment", p.ID, desk)
		f.auditHas("fine.waiver", p.ID, admin)
	})
}
