package library

import (
	"errors"
	"testing"
	"time"
)

func TestCheckRenew(t *testing.T) {
	cfg := DefaultConfig()
	loc := hk(t)
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, loc)
	today := cfg.Today(now)
	active := Patron{Barcode: "21034567", Category: "student", RegisteredOn: NewDate(2024, 9, 1), ExpiresOn: NewDate(2028, 8, 31)}
	due := func(daysFromToday int) time.Time { return today.AddDays(daysFromToday).EndOf(loc) }
	with := func(f func(*Patron)) Patron { p := active; f(&p); return p }
	tests := []struct {
		name    string
		patron  Patron
		loan    Loan
		balance Money
		want    Reason // "" for allowed
	}{
		{"allowed", active, Loan{DueAt: due(3)}, 0, ""},
		{"second renewal allowed", active, Loan{DueAt: due(3), Renewals: 1}, 0, ""},
		{"renewal limit", active, Loan{DueAt: due(3), Renewals: 2}, 0, ReasonRenewalLimit},
		{"card holder", with(func(p *Patron) { p.RegisteredOn = Date{} }), Loan{DueAt: due(3)}, 0, ReasonNotRegistered},
		{"blocked", with(func(p *Patron) { p.BlockedReason = "lost items" }), Loan{DueAt: due(3)}, 0, ReasonBlocked},
		{"expired yesterday", with(func(p *Patron) { p.ExpiresOn = today.AddDays(-1) }), Loan{DueAt: due(3)}, 0, ReasonExpired},
		{"expires today is still valid", with(func(p *Patron) { p.ExpiresOn = today }), Loan{DueAt: due(3)}, 0, ""},
		{"fines just under threshold", active, Loan{DueAt: due(3)}, 4999, ""},
		{"fines reach threshold", active, Loan{DueAt: due(3)}, 5000, ReasonFines},
		{"overdue within grace", active, Loan{DueAt: due(-30)}, 0, ""},
		{"overdue beyond grace", active, Loan{DueAt: due(-31)}, 0, ReasonTooOverdue},
		{"unknown category", with(func(p *Patron) { p.Category = "alumni" }), Loan{DueAt: due(3)}, 0, ReasonUnknownCategory},
		{"blocked outranks fines", with(func(p *Patron) { p.BlockedReason = "x" }), Loan{DueAt: due(3)}, 9000, ReasonBlocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := cfg.CheckRenew(tt.patron, tt.loan, now, tt.balance)
			var got Reason
			var r *Refusal
			if errors.As(err, &r) {
				got = r.Reason
			} else if err != nil {
				t.Fatalf("CheckRenew: unexpected error %v", err)
			}
			if got != tt.want {
				t.Errorf("CheckRenew = %q, want %q", got, tt.want)
			}
			if err != nil && ErrorCode(err) != EREFUSED {
				t.Errorf("code = %q, want %q", ErrorCode(err), EREFUSED)
			}
		})
	}
}

func TestCheckBorrow(t *testing.T) {
	cfg := DefaultConfig()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, hk(t))
	student := Patron{Category: "student", RegisteredOn: NewDate(2024, 9, 1)}
	staff := Patron{Category: "staff", RegisteredOn: NewDate(2010, 9, 1)}
	tests := []struct {
		name    string
		patron  Patron
		open    int
		balance Money
		want    Reason
	}{
		{"student with 9", student, 9, 0, ""},
		{"student with 10", student, 10, 0, ReasonLoanLimit},
		{"staff with 29", staff, 29, 0, ""},
		{"staff with 30", staff, 30, 0, ReasonLoanLimit},
		{"fines", student, 0, 6200, ReasonFines},
		{"card holder", Patron{Category: "student"}, 0, 0, ReasonNotRegistered},
	}
	for _, tt := range tests {
		err := cfg.CheckBorrow(tt.patron, now, tt.open, tt.balance)
		var got Reason
		if r, ok := AsRefusal(err); ok {
			got = r.Reason
			if tt.want == ReasonFines && (r.Balance != tt.balance || r.Threshold != 5000) {
				t.Errorf("%s: refusal carries %v of %v, want %v of HKD 50.00", tt.name, r.Balance, r.Threshold, tt.balance)
			}
		}
		if got != tt.want {
			t.Errorf("%s: CheckBorrow = %q (%v), want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestRenewedDue(t *testing.T) {
	cfg := DefaultConfig()
	loc := hk(t)
	cat, _ := cfg.Category("student")
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, loc)
	// Renewed today: 14 days from today.
	l := Loan{DueAt: time.Date(2026, 12, 1, 23, 59, 59, 0, loc)}
	if got, want := cfg.RenewedDue(cat, l, now), time.Date(2026, 12, 12, 23, 59, 59, 0, loc); !got.Equal(want) {
		t.Errorf("RenewedDue = %v, want %v", got, want)
	}
	// A due date already later than a fresh period is never brought forward.
	l.DueAt = time.Date(2026, 12, 30, 23, 59, 59, 0, loc)
	if got := cfg.RenewedDue(cat, l, now); !got.Equal(l.DueAt) {
		t.Errorf("RenewedDue = %v, want unchanged %v", got, l.DueAt)
	}
}

func TestMoneyString(t *testing.T) {
	for m, want := range map[Money]string{0: "HKD 0.00", 5: "HKD 0.05", 6200: "HKD 62.00", -150: "-HKD 1.50"} {
		if got := m.String(); got != want {
			t.Errorf("Money(%d) = %q, want %q", m, got, want)
		}
	}
}
