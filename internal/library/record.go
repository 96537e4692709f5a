package library

import (
	"context"
	"time"
)

// LoanLine is one current loan as the patron sees it.
type LoanLine struct {
	Loan
	OverdueDays  int   // 0 when not overdue
	DueInDays    int   // 0 due today, 1 tomorrow, negative when overdue
	FineAccruing Money // the fine so far; charged when the item is returned
	RenewalsLeft int
	// RenewRefusal says why the loan cannot be renewed now; nil when it can.
	RenewRefusal *Refusal
}

// Record is a patron's borrowing record (R7).
type Record struct {
	Patron   Patron
	Category Category
	Status   Status
	Today    Date
	// Loans are the current loans, overdue ones first, then by due date.
	Loans         []LoanLine
	OverdueCount  int
	AccruingTotal Money // fines accruing on overdue loans, not yet charged
	FineBalance   Money // unpaid charged fines
	// BorrowRefusal says why the patron cannot borrow or renew at all now
	// (card holder, blocked, expired, fines); nil when they can.
	BorrowRefusal *Refusal
	// ExpiresSoon is true when the account expires within 30 days.
	ExpiresSoon bool
	// Holds are the patron's holds, newest first: the open ones (waiting,
	// with their place in the queue, or trapped, with the day to collect
	// the item by), and those closed in the last 30 days.
	Holds []Hold
}

// expiryWarningDays is how long before the expiry date the patron is warned.
const expiryWarningDays = 30

// BorrowingRecord returns the borrowing record of the patron with the given ID.
func (s *Service) BorrowingRecord(ctx context.Context, patronID int64) (Record, error) {
	var rec Record
	err := s.store.View(ctx, func(tx Tx) error {
		p, err := tx.PatronByID(patronID)
		if err != nil {
			return err
		}
		rec, err = s.loadRecord(tx, p, s.now())
		return err
	})
	return rec, err
}

// loadRecord reads the patron's loans, fine balance and holds in tx and
// works out the borrowing record from them.
func (s *Service) loadRecord(tx Tx, p Patron, now time.Time) (Record, error) {
	loans, balance, err := tx.OpenLoansAndBalance(p.ID)
	if err != nil {
		return Record{}, err
	}
	rec := s.record(p, loans, balance, now)
	err = s.addHolds(tx, &rec)
	return rec, err
}

// record works out everything the borrowing record shows, from the stored facts.
func (s *Service) record(p Patron, loans []Loan, balance Money, now time.Time) Record {
	cat, _ := s.cfg.Category(p.Category)
	today := s.cfg.Today(now)
	rec := Record{
		Patron:      p,
		Category:    cat,
		Status:      p.Status(today),
		Today:       today,
		FineBalance: balance,
		Loans:       make([]LoanLine, 0, len(loans)),
		ExpiresSoon: !p.ExpiresOn.IsZero() && !p.Expired(today) && p.ExpiresOn.DaysSince(today) <= expiryWarningDays,
	}
	if r := s.cfg.standing(p, today, balance); r != nil {
		rec.BorrowRefusal = r
	}
	for _, l := range loans {
		line := LoanLine{
			Loan:         l,
			OverdueDays:  s.cfg.OverdueDays(l.DueAt, now),
			DueInDays:    s.cfg.DaysUntil(l.DueAt, now),
			RenewalsLeft: max(cat.MaxRenewals-l.Renewals, 0),
		}
		line.FineAccruing = cat.Fine(line.OverdueDays)
		if line.OverdueDays > 0 {
			rec.OverdueCount++
			rec.AccruingTotal += line.FineAccruing
		}
		if err := s.cfg.CheckRenew(p, l, now, balance); err != nil {
			line.RenewRefusal = err.(*Refusal)
		}
		rec.Loans = append(rec.Loans, line)
	}
	return rec
}
