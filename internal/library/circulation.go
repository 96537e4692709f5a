package library

import (
	"context"
	"errors"
	"fmt"
)

// Checkout lends the item with itemBarcode to the patron with patronBarcode,
// or refuses with a *Refusal saying why. actor names who did it, for the
// audit log.
func (s *Service) Checkout(ctx context.Context, patronBarcode, itemBarcode, actor string) (Loan, error) {
	var loan Loan
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.now()
		p, err := tx.PatronByBarcode(NormalizeBarcode(patronBarcode))
		if err != nil {
			return err
		}
		it, err := tx.ItemByBarcode(NormalizeBarcode(itemBarcode))
		if err != nil {
			return err
		}
		if it.Withdrawn {
			return &Refusal{Reason: ReasonItemNotForLoan}
		}
		n, err := tx.CountOpenLoans(p.ID)
		if err != nil {
			return err
		}
		balance, err := tx.FineBalance(p.ID)
		if err != nil {
			return err
		}
		if err := s.cfg.CheckBorrow(p, now, n, balance); err != nil {
			return err
		}
		cat, _ := s.cfg.Category(p.Category)
		loan = Loan{PatronID: p.ID, Item: it, CheckedOutAt: now, DueAt: s.cfg.DueAt(now, cat.LoanDays)}
		if err := tx.CreateLoan(&loan); err != nil {
			if IsCode(err, ECONFLICT) {
				return &Refusal{Reason: ReasonItemOnLoan}
			}
			return err
		}
		return s.audit(tx, actor, p.ID, "loan.checkout", fmt.Sprintf("item %s due %s", it.Barcode, s.cfg.Today(loan.DueAt)))
	})
	return loan, err
}

// Returned is the outcome of a check-in.
type Returned struct {
	Loan    Loan
	Charged Money // the overdue fine charged now
}

// Checkin takes back the item with itemBarcode and charges any overdue fine.
// Unless the patron keeps a loan history, the returned loan is unlinked from
// the patron, so the library no longer knows who read what.
func (s *Service) Checkin(ctx context.Context, itemBarcode, actor string) (Returned, error) {
	var out Returned
	err := s.store.Update(ctx, func(tx Tx) error {
		out = Returned{} // the store may run this function more than once
		now := s.now()
		it, err := tx.ItemByBarcode(NormalizeBarcode(itemBarcode))
		if err != nil {
			return err
		}
		l, err := tx.OpenLoanForItem(it.ID)
		if err != nil {
			return err
		}
		p, err := tx.PatronByID(l.PatronID)
		if err != nil {
			return err
		}
		cat, _ := s.cfg.Category(p.Category)
		if fine := cat.Fine(s.cfg.OverdueDays(l.DueAt, now)); fine > 0 {
			e := FineEntry{PatronID: p.ID, LoanID: l.ID, Kind: FineCharge, Amount: fine, Note: "overdue", CreatedAt: now}
			if err := tx.AddFine(&e); err != nil {
				return err
			}
			out.Charged = fine
		}
		l.ReturnedAt = now
		l.PatronID = 0
		if err := tx.UpdateLoan(l); err != nil {
			return err
		}
		out.Loan = l
		return s.audit(tx, actor, p.ID, "loan.checkin", fmt.Sprintf("item %s fine %s", it.Barcode, out.Charged))
	})
	return out, err
}

// AsRefusal returns the *Refusal in err's chain, if any.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}
