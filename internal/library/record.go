package library

import (
	"context"
	"math"
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
	// Loans are the current loans shown, overdue ones first, then by due
	// date: every one of them, or the page of them the record was asked
	// for (BorrowingRecordPage).
	Loans []LoanLine
	// LoanCount is how many current loans the patron has, shown or not.
	LoanCount int
	// Page is the page of loans shown, from 1; 0 when every loan is shown.
	// A page asked for beyond the last gives the last.
	Page          int
	OverdueCount  int   // over every current loan, shown or not
	AccruingTotal Money // fines accruing on every overdue loan, not yet charged
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

// LoanPage asks a borrowing record for one page of the current loans: Size
// loans, page Page (from 1; a page beyond the last gives the last). The
// zero LoanPage asks for every loan.
type LoanPage struct{ Page, Size int }

// LoanWindow is what a Tx gives for a page of a borrowing record: the loans
// of the page, how many there are in all, the due times of the loans that
// may be overdue (for the record's totals) and the fine balance.
type LoanWindow struct {
	Loans      []Loan
	Count      int
	OverdueDue []time.Time
	Balance    Money
}

// BorrowingRecord returns the borrowing record of the patron with the given
// ID, with every current loan.
func (s *Service) BorrowingRecord(ctx context.Context, patronID int64) (Record, error) {
	return s.BorrowingRecordPage(ctx, patronID, LoanPage{})
}

// BorrowingRecordPage returns the borrowing record of the patron with the
// given ID showing one page of the current loans: its totals (how many
// loans, how many overdue, the fines accruing) still count every loan, but
// it reads only the loans it shows and the due times of those that may be
// overdue, so that its cost grows with what is shown.
func (s *Service) BorrowingRecordPage(ctx context.Context, patronID int64, page LoanPage) (Record, error) {
	var rec Record
	err := s.store.View(ctx, func(tx Tx) error {
		p, err := tx.PatronByID(patronID)
		if err != nil {
			return err
		}
		rec, err = s.loadRecord(tx, p, s.now(), page)
		return err
	})
	return rec, err
}

// loadRecord reads the patron's loans (all of them, or the page asked
// for), fine balance and holds in tx and works out the borrowing record
// from them.
func (s *Service) loadRecord(tx Tx, p Patron, now time.Time, page LoanPage) (Record, error) {
	var rec Record
	if page.Size <= 0 {
		loans, balance, err := tx.OpenLoansAndBalance(p.ID)
		if err != nil {
			return Record{}, err
		}
		rec = s.record(p, balance, now)
		rec.LoanCount = len(loans)
		rec.Loans = make([]LoanLine, 0, len(loans))
		for _, l := range loans {
			line := s.loanLine(&rec, l, now)
			if line.OverdueDays > 0 {
				rec.OverdueCount++
				rec.AccruingTotal += line.FineAccruing
			}
			rec.Loans = append(rec.Loans, line)
		}
	} else {
		w, n, err := loanWindow(tx, p.ID, page, now)
		if err != nil {
			return Record{}, err
		}
		rec = s.record(p, w.Balance, now)
		rec.LoanCount, rec.Page = w.Count, n
		for _, due := range w.OverdueDue {
			if d := s.cfg.OverdueDays(due, now); d > 0 {
				rec.OverdueCount++
				rec.AccruingTotal += rec.Category.Fine(d)
			}
		}
		rec.Loans = make([]LoanLine, 0, len(w.Loans))
		for _, l := range w.Loans {
			rec.Loans = append(rec.Loans, s.loanLine(&rec, l, now))
		}
	}
	err := s.addHolds(tx, &rec)
	return rec, err
}

// loanWindow reads page of the patron's loans, and returns it with the
// page number it is: a page beyond the last is read again as the last.
func loanWindow(tx Tx, patronID int64, page LoanPage, now time.Time) (LoanWindow, int, error) {
	// A page beyond any patron's loans reads none, then the last page; the
	// bound keeps the offset of a page number like 10^18 from overflowing.
	n := min(max(page.Page, 1), math.MaxInt32/page.Size)
	w, err := tx.OpenLoansWindow(patronID, (n-1)*page.Size, page.Size, now)
	if err != nil || len(w.Loans) > 0 || w.Count == 0 || n == 1 {
		return w, n, err
	}
	n = (w.Count + page.Size - 1) / page.Size
	w, err = tx.OpenLoansWindow(patronID, (n-1)*page.Size, page.Size, now)
	return w, n, err
}

// record works out the parts of the borrowing record that do not depend
// on the loans, from the stored facts.
func (s *Service) record(p Patron, balance Money, now time.Time) Record {
	cat, _ := s.cfg.Category(p.Category)
	today := s.cfg.Today(now)
	rec := Record{
		Patron:      p,
		Category:    cat,
		Status:      p.Status(today),
		Today:       today,
		FineBalance: balance,
		ExpiresSoon: !p.ExpiresOn.IsZero() && !p.Expired(today) && p.ExpiresOn.DaysSince(today) <= expiryWarningDays,
	}
	if r := s.cfg.standing(p, today, balance); r != nil {
		rec.BorrowRefusal = r
	}
	return rec
}

// loanLine works out what the record shows of one current loan.
func (s *Service) loanLine(rec *Record, l Loan, now time.Time) LoanLine {
	line := LoanLine{
		Loan:         l,
		OverdueDays:  s.cfg.OverdueDays(l.DueAt, now),
		DueInDays:    s.cfg.DaysUntil(l.DueAt, now),
		RenewalsLeft: max(rec.Category.MaxRenewals-l.Renewals, 0),
	}
	line.FineAccruing = rec.Category.Fine(line.OverdueDays)
	if err := s.cfg.CheckRenew(rec.Patron, l, now, rec.FineBalance); err != nil {
		line.RenewRefusal = err.(*Refusal)
	}
	return line
}
