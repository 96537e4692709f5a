package library

import (
	"fmt"
	"time"
)

// Reason says why a library rule refuses to lend or renew. Entrances show
// their own words for each reason.
type Reason string

// The reasons for refusing to lend or renew.
const (
	ReasonNotRegistered   Reason = "not_registered"    // card holder only (R4)
	ReasonBlocked         Reason = "blocked"           // blocked by staff
	ReasonExpired         Reason = "expired"           // account past its expiry date
	ReasonFines           Reason = "fines"             // unpaid fines reach the threshold
	ReasonLoanLimit       Reason = "loan_limit"        // as many items as the category allows
	ReasonRenewalLimit    Reason = "renewal_limit"     // renewed as often as allowed
	ReasonTooOverdue      Reason = "too_overdue"       // overdue beyond the grace for renewing
	ReasonItemOnLoan      Reason = "item_on_loan"      // item already lent
	ReasonItemNotForLoan  Reason = "item_not_for_loan" // withdrawn
	ReasonUnknownCategory Reason = "unknown_category"  // patron's category not configured
	ReasonNotFound        Reason = "not_found"         // no such loan or item for this patron
	// ReasonNothingToGain: renewing now would not move the due date later,
	// so it would only spend a renewal.
	ReasonNothingToGain Reason = "nothing_to_gain"
	// ReasonTooEarly: the category allows renewing only from a number of
	// days before the due date (no_renewal_before_days).
	ReasonTooEarly Reason = "too_early"
)

// Refusal is the error a library rule gives when it refuses to lend or
// renew. Its code is EREFUSED. The numbers let an entrance say exactly why:
// "HKD 62.00 in fines is over the HKD 50.00 limit".
type Refusal struct {
	Reason    Reason
	Balance   Money // unpaid fines, for ReasonFines
	Threshold Money // the fine threshold, for ReasonFines
	Limit     int   // loan or renewal limit, or grace days
	ExpiredOn Date  // for ReasonExpired
	// BlockedReason (for staff only) and Notice (for the patron, when
	// Notice.Visible) say why, for ReasonBlocked.
	BlockedReason string
	Notice        BlockNotice
	// On is the day the reason names: the current due date for
	// ReasonNothingToGain, the first day the loan may be renewed for
	// ReasonTooEarly.
	On Date
}

// Date is the day the refusal names: the expiry date, the current due
// date or the day renewing becomes possible; zero when it names none.
func (r *Refusal) Date() Date {
	if r.Reason == ReasonExpired {
		return r.ExpiredOn
	}
	return r.On
}

// Error implements error.
func (r *Refusal) Error() string {
	switch r.Reason {
	case ReasonFines:
		return fmt.Sprintf("refused: unpaid fines %s reach the limit %s", r.Balance, r.Threshold)
	case ReasonLoanLimit, ReasonRenewalLimit, ReasonTooOverdue:
		return fmt.Sprintf("refused: %s (%d)", r.Reason, r.Limit)
	case ReasonNothingToGain, ReasonTooEarly:
		return fmt.Sprintf("refused: %s (%s)", r.Reason, r.On)
	}
	return "refused: " + string(r.Reason)
}

// Unwrap gives the refusal its EREFUSED code.
func (r *Refusal) Unwrap() error { return &Error{Code: EREFUSED, Message: string(r.Reason)} }

// standing returns why the patron may not borrow or renew at all on day
// today with the given unpaid fines, or nil.
func (c *Config) standing(p Patron, today Date, balance Money) *Refusal {
	switch p.Status(today) {
	case StatusCardHolder:
		return &Refusal{Reason: ReasonNotRegistered}
	case StatusBlocked:
		return &Refusal{Reason: ReasonBlocked, BlockedReason: p.BlockedReason, Notice: p.BlockNotice}
	case StatusExpired:
		return &Refusal{Reason: ReasonExpired, ExpiredOn: p.ExpiresOn}
	}
	if _, ok := c.Category(p.Category); !ok {
		return &Refusal{Reason: ReasonUnknownCategory}
	}
	if c.FineThreshold > 0 && balance >= c.FineThreshold {
		return &Refusal{Reason: ReasonFines, Balance: balance, Threshold: c.FineThreshold}
	}
	return nil
}

// CheckBorrow returns a *Refusal when patron p, who has openLoans items out
// and the given unpaid fines, may not borrow another item at now.
func (c *Config) CheckBorrow(p Patron, now time.Time, openLoans int, balance Money) error {
	if r := c.standing(p, c.Today(now), balance); r != nil {
		return r
	}
	cat, _ := c.Category(p.Category)
	if openLoans >= cat.MaxLoans {
		return &Refusal{Reason: ReasonLoanLimit, Limit: cat.MaxLoans}
	}
	return nil
}

// CheckRenew returns a *Refusal when patron p may not renew loan l at now:
// besides the patron's standing and the loan's renewals and lateness, a
// renewal must move the due date later (RenewedDue), and may not come
// earlier than the category's no_renewal_before_days before the due date.
func (c *Config) CheckRenew(p Patron, l Loan, now time.Time, balance Money) error {
	if r := c.standing(p, c.Today(now), balance); r != nil {
		return r
	}
	cat, _ := c.Category(p.Category)
	if l.Renewals >= cat.MaxRenewals {
		return &Refusal{Reason: ReasonRenewalLimit, Limit: cat.MaxRenewals}
	}
	if c.OverdueDays(l.DueAt, now) > c.RenewGraceDays {
		return &Refusal{Reason: ReasonTooOverdue, Limit: c.RenewGraceDays}
	}
	due := c.Today(l.DueAt)
	if n := cat.NoRenewalBeforeDays; n > 0 {
		if from := due.AddDays(-n); c.Today(now).Before(from) {
			return &Refusal{Reason: ReasonTooEarly, On: from}
		}
	}
	if !c.RenewedDue(cat, l, now).After(l.DueAt) {
		return &Refusal{Reason: ReasonNothingToGain, On: due}
	}
	return nil
}

// RenewedDue returns the new due time of loan l renewed at now: a full loan
// period from now, and never earlier than the current due time.
func (c *Config) RenewedDue(cat Category, l Loan, now time.Time) time.Time {
	due := c.DueAt(now, cat.LoanDays)
	if due.Before(l.DueAt) {
		return l.DueAt
	}
	return due
}
