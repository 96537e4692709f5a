package library_test

import (
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// renewAudits returns the "loan.renew" audit entries, newest first.
func (f *fixture) renewAudits() []library.AuditEntry {
	f.t.Helper()
	var out []library.AuditEntry
	for _, e := range f.audit() {
		if e.Action == "loan.renew" {
			out = append(out, e)
		}
	}
	return out
}

// openLoan reads the patron's current loan of the item as stored.
func (f *fixture) openLoan(p library.Patron, it library.Item) library.Loan {
	f.t.Helper()
	rec, err := f.svc.BorrowingRecord(f.ctx, p.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, l := range rec.Loans {
		if l.Item.ID == it.ID {
			return l.Loan
		}
	}
	f.t.Fatalf("no current loan of %s", it.Barcode)
	return library.Loan{}
}

// TestRenewNothingToGain proves a renewal that would not move the due
// date later is refused, by Renew (with every loan or chosen ones) and at
// the desk alike, with the current due date: the loan keeps its renewal
// count and due date and no renewal is audited; the borrowing record says
// so before anyone tries.
func TestRenewNothingToGain(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		cfg := f.svc.Config()
		p := f.patron("21034567", nil)
		fresh, older := f.item("3100001"), f.item("3100002")
		due := cfg.DueAt(f.now, 14) // a loan made today: renewing gives the same date
		f.loan(p, fresh, f.now, due, 0)
		f.loan(p, older, f.now.Add(-10*24*time.Hour), cfg.DueAt(f.now, 4), 0)
		dueDay := library.NewDate(2026, time.December, 12)

		rec, err := f.svc.BorrowingRecord(f.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range rec.Loans {
			r := l.RenewRefusal
			switch l.Item.ID {
			case fresh.ID:
				if r == nil || r.Reason != library.ReasonNothingToGain || r.On != dueDay {
					t.Errorf("record: the fresh loan's refusal %+v, want nothing to gain, due %s", r, dueDay)
				}
			case older.ID:
				if r != nil {
					t.Errorf("record: the older loan is refused: %v", r)
				}
			}
		}

		out, err := f.svc.Renew(f.ctx, p.ID, nil, "patron")
		if err != nil || len(out) != 2 {
			t.Fatalf("renew all: %+v, %v", out, err)
		}
		for _, o := range out {
			switch o.Item.ID {
			case fresh.ID:
				if o.Renewed || o.Refusal == nil || o.Refusal.Reason != library.ReasonNothingToGain || o.Refusal.Date() != dueDay {
					t.Errorf("the fresh loan: %+v, want refused, nothing to gain, due %s", o, dueDay)
				}
			case older.ID:
				if !o.Renewed || !o.NewDue.Equal(due) {
					t.Errorf("the older loan: %+v, want renewed to %s", o, due)
				}
			}
		}
		if l := f.openLoan(p, fresh); l.Renewals != 0 || !l.DueAt.Equal(due) {
			t.Errorf("the fresh loan after renew all: %d renewals, due %s; want 0, %s", l.Renewals, l.DueAt, due)
		}
		audits := f.renewAudits()
		if len(audits) != 1 || !strings.Contains(audits[0].Detail, older.Barcode) {
			t.Fatalf("renewal audit entries %+v, want one, for %s", audits, older.Barcode)
		}

		// The loan just renewed, renewed again minutes later: refused.
		f.now = f.now.Add(5 * time.Minute)
		l := f.openLoan(p, older)
		out, err = f.svc.Renew(f.ctx, p.ID, []int64{l.ID}, "patron")
		if err != nil || len(out) != 1 || out[0].Renewed || out[0].Refusal.Reason != library.ReasonNothingToGain {
			t.Fatalf("renewing again: %+v, %v", out, err)
		}
		desk := f.desk()
		out, err = f.svc.DeskRenew(f.ctx, desk, p.ID, nil, library.NewRequestToken())
		if err != nil || len(out) != 2 {
			t.Fatalf("desk renew: %+v, %v", out, err)
		}
		for _, o := range out {
			if o.Renewed || o.Refusal.Reason != library.ReasonNothingToGain || o.Refusal.Date() != dueDay {
				t.Errorf("desk renew: %+v, want refused, nothing to gain, due %s", o, dueDay)
			}
		}
		if l := f.openLoan(p, older); l.Renewals != 1 || !l.DueAt.Equal(due) {
			t.Errorf("after renewing again: %d renewals, due %s; want 1, %s", l.Renewals, l.DueAt, due)
		}
		if got := len(f.renewAudits()); got != 1 {
			t.Errorf("%d renewal audit entries, want still 1", got)
		}

		// Days later the renewal gains, and is made.
		f.now = f.now.Add(3 * 24 * time.Hour)
		out, err = f.svc.Renew(f.ctx, p.ID, []int64{l.ID}, "patron")
		if err != nil || len(out) != 1 || !out[0].Renewed || !out[0].NewDue.After(due) {
			t.Errorf("renewing three days on: %+v, %v", out, err)
		}
	})
}

// TestRenewNotBeforeDays proves a category's no_renewal_before_days: a
// renewal earlier than that many days before the due date is refused with
// the first day it is allowed, changes nothing and is not audited; from
// that day it is made.
func TestRenewNotBeforeDays(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		cfg := f.svc.Config()
		cat := cfg.Categories["student"]
		cat.NoRenewalBeforeDays = 3
		cfg.Categories["student"] = cat
		p := f.patron("21034567", nil)
		it := f.item("3100001")
		loc := cfg.Location()
		due := library.NewDate(2026, time.December, 8).EndOf(loc) // Tuesday, 10 days on
		l := f.loan(p, it, f.now.Add(-4*24*time.Hour), due, 0)
		from := library.NewDate(2026, time.December, 5)

		for _, day := range []int{28, 4} {
			if day == 4 {
				f.now = library.NewDate(2026, time.December, 4).Time(loc).Add(23 * time.Hour)
			}
			out, err := f.svc.Renew(f.ctx, p.ID, []int64{l.ID}, "patron")
			if err != nil || len(out) != 1 || out[0].Renewed || out[0].Refusal.Reason != library.ReasonTooEarly || out[0].Refusal.Date() != from {
				t.Fatalf("renewing on day %d: %+v, %v; want refused, renewable from %s", day, out, err, from)
			}
		}
		if got := f.openLoan(p, it); got.Renewals != 0 || !got.DueAt.Equal(due) {
			t.Errorf("after the refusals: %d renewals, due %s", got.Renewals, got.DueAt)
		}
		if got := len(f.renewAudits()); got != 0 {
			t.Errorf("%d renewal audit entries, want none", got)
		}

		f.now = from.Time(loc).Add(9 * time.Hour)
		out, err := f.svc.DeskRenew(f.ctx, f.desk(), p.ID, []int64{l.ID}, "")
		if err != nil || len(out) != 1 || !out[0].Renewed || library.DateOf(out[0].NewDue, loc) != library.NewDate(2026, time.December, 19) {
			t.Errorf("renewing on %s: %+v, %v; want renewed to 19 Dec", from, out, err)
		}
	})
}
