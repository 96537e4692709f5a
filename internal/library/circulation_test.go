package library_test

import (
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

func TestRenewOutcomes(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		loc := f.svc.Config().Location()
		p := f.patron("21034567", nil)
		other := f.patron("21034568", nil)
		out := f.now.Add(-10 * 24 * time.Hour)
		ok := f.loan(p, f.item("3100001"), out, time.Date(2026, 12, 1, 23, 59, 59, 0, loc), 0)
		limit := f.loan(p, f.item("3100002"), out, time.Date(2026, 12, 2, 23, 59, 59, 0, loc), 2)
		late := f.loan(p, f.item("3100003"), out, time.Date(2026, 11, 24, 23, 59, 59, 0, loc), 0) // 4 days overdue
		theirs := f.loan(other, f.item("3100004"), out, time.Date(2026, 12, 1, 23, 59, 59, 0, loc), 0)

		got, err := f.svc.Renew(f.ctx, p.ID, []int64{ok.ID, limit.ID, late.ID, theirs.ID, 999999}, "patron")
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			renewed bool
			reason  library.Reason
			charged library.Money
		}{{true, "", 0}, {false, library.ReasonRenewalLimit, 0}, {true, "", 400}, {false, library.ReasonNotFound, 0}, {false, library.ReasonNotFound, 0}}
		if len(got) != len(want) {
			t.Fatalf("%d outcomes, want %d", len(got), len(want))
		}
		for i, w := range want {
			var reason library.Reason
			if got[i].Refusal != nil {
				reason = got[i].Refusal.Reason
			}
			if got[i].Renewed != w.renewed || reason != w.reason || got[i].Charged != w.charged {
				t.Errorf("outcome %d = renewed %v, %q, charged %v; want %v, %q, %v", i, got[i].Renewed, reason, got[i].Charged, w.renewed, w.reason, w.charged)
			}
		}
		if wantDue := time.Date(2026, 12, 12, 23, 59, 59, 0, loc); !got[0].NewDue.Equal(wantDue) {
			t.Errorf("new due %v, want %v", got[0].NewDue, wantDue)
		}
		rec, err := f.svc.BorrowingRecord(f.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.FineBalance != 400 || rec.OverdueCount != 0 || len(rec.Loans) != 3 {
			t.Errorf("record after renewing: balance %v, overdue %d, loans %d", rec.FineBalance, rec.OverdueCount, len(rec.Loans))
		}
		theirRec, _ := f.svc.BorrowingRecord(f.ctx, other.ID)
		if theirRec.Loans[0].Renewals != 0 || !theirRec.Loans[0].DueAt.Equal(theirs.DueAt) {
			t.Error("renewing someone else's loan changed it")
		}
	})
}

func TestRenewNamingALoanTwiceRenewsItOnce(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		loc := f.svc.Config().Location()
		p := f.patron("21034569", nil)
		l := f.loan(p, f.item("3100005"), f.now.Add(-24*time.Hour), time.Date(2026, 12, 1, 23, 59, 59, 0, loc), 0)
		got, err := f.svc.Renew(f.ctx, p.ID, []int64{l.ID, l.ID, l.ID}, "patron")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[0].Renewed {
			t.Fatalf("outcomes %+v, want one renewal", got)
		}
		rec, err := f.svc.BorrowingRecord(f.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Loans[0].Renewals != 1 {
			t.Errorf("renewals = %d, want 1", rec.Loans[0].Renewals)
		}
	})
}

func TestBorrowingRecordFigures(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		loc := f.svc.Config().Location()
		p := f.patron("21034567", func(p *library.Patron) { p.ExpiresOn = library.NewDate(2026, 12, 15) })
		out := f.now.Add(-20 * 24 * time.Hour)
		f.loan(p, f.item("3100001"), out, time.Date(2026, 11, 28, 23, 59, 59, 0, loc), 0) // due today
		f.loan(p, f.item("3100002"), out, time.Date(2026, 11, 18, 23, 59, 59, 0, loc), 1) // 10 days overdue
		f.loan(p, f.item("3100003"), out, time.Date(2026, 9, 1, 23, 59, 59, 0, loc), 0)   // far overdue: capped
		rec, err := f.svc.BorrowingRecord(f.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Loans[0].Item.Barcode != "3100003" || rec.Loans[2].Item.Barcode != "3100001" {
			t.Errorf("loans not overdue-first: %s, %s, %s", rec.Loans[0].Item.Barcode, rec.Loans[1].Item.Barcode, rec.Loans[2].Item.Barcode)
		}
		if rec.OverdueCount != 2 || rec.AccruingTotal != 5000+1000 {
			t.Errorf("overdue %d accruing %v, want 2 and HKD 60.00", rec.OverdueCount, rec.AccruingTotal)
		}
		if rec.Loans[2].DueInDays != 0 || rec.Loans[1].OverdueDays != 10 || rec.Loans[1].RenewalsLeft != 1 {
			t.Errorf("due-in %d, overdue %d, renewals left %d", rec.Loans[2].DueInDays, rec.Loans[1].OverdueDays, rec.Loans[1].RenewalsLeft)
		}
		if r := rec.Loans[0].RenewRefusal; r == nil || r.Reason != library.ReasonTooOverdue {
			t.Errorf("far overdue loan renewable: %+v", r)
		}
		if !rec.ExpiresSoon || rec.BorrowRefusal != nil {
			t.Errorf("expires soon %v, refusal %+v", rec.ExpiresSoon, rec.BorrowRefusal)
		}
	})
}

func TestCheckoutAndCheckin(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		loc := f.svc.Config().Location()
		p := f.patron("21034567", nil)
		holder := f.patron("21034569", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
		book := f.item("3100001")
		l, err := f.svc.Checkout(f.ctx, "21034567", "3100001", "desk")
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 12, 12, 23, 59, 59, 0, loc); !l.DueAt.Equal(want) {
			t.Errorf("due %v, want %v", l.DueAt, want)
		}
		if _, err := f.svc.Checkout(f.ctx, "21034567", "3100001", "desk"); !isRefusal(err, library.ReasonItemOnLoan) {
			t.Errorf("lending a lent item: %v", err)
		}
		f.item("3100002")
		if _, err := f.svc.Checkout(f.ctx, holder.Barcode, "3100002", "desk"); !isRefusal(err, library.ReasonNotRegistered) {
			t.Errorf("lending to a card holder: %v", err)
		}
		for i := 0; i < 9; i++ {
			f.item("32000" + string(rune('0'+i)))
			if _, err := f.svc.Checkout(f.ctx, "21034567", "32000"+string(rune('0'+i)), "desk"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.Checkout(f.ctx, "21034567", "3100002", "desk"); !isRefusal(err, library.ReasonLoanLimit) {
			t.Errorf("the 11th loan: %v", err)
		}
		f.now = f.now.Add(17 * 24 * time.Hour) // 3 days after the due day
		ret, err := f.svc.Checkin(f.ctx, book.Barcode, "desk")
		if err != nil {
			t.Fatal(err)
		}
		if ret.Charged != 300 {
			t.Errorf("charged %v at return, want HKD 3.00", ret.Charged)
		}
		rec, _ := f.svc.BorrowingRecord(f.ctx, p.ID)
		if rec.FineBalance != 300 || len(rec.Loans) != 9 {
			t.Errorf("after return: balance %v, %d loans", rec.FineBalance, len(rec.Loans))
		}
		var returned library.Loan
		f.update(func(tx library.Tx) error {
			var err error
			_, err = tx.OpenLoanForItem(book.ID)
			if !library.IsCode(err, library.ENOTFOUND) {
				t.Errorf("returned item still on loan: %v", err)
			}
			returned = ret.Loan
			return nil
		})
		if returned.PatronID != 0 {
			t.Error("a returned loan stays linked to the patron")
		}
	})
}

func isRefusal(err error, want library.Reason) bool {
	r, ok := library.AsRefusal(err)
	return ok && r.Reason == want
}
