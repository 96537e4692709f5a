package library

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Checkout lends the item with itemBarcode to the patron with patronBarcode,
// or refuses with a *Refusal saying why. actor names who did it, for the
// audit log. Machines (SIP2) and tests call it; the staff desk calls
// DeskCheckout.
func (s *Service) Checkout(ctx context.Context, patronBarcode, itemBarcode, actor string) (Loan, error) {
	return s.checkout(ctx, byName(actor), CheckoutRequest{PatronBarcode: patronBarcode, ItemBarcode: itemBarcode})
}

// CheckoutRequest is one scan at the desk's check-out.
type CheckoutRequest struct {
	PatronBarcode string
	ItemBarcode   string
	// Override, when not empty, is an admin's reason for lending despite a
	// refusal about the patron (blocked, expired, fines, loan limit). It is
	// recorded in the audit log. A desk account may not override.
	Override string
	// RequestToken, when not empty, makes the request act once: the same
	// token again gives ErrAlreadyDone (a form submitted twice).
	RequestToken string
}

// Overridable reports whether an admin may lend despite a refusal: only
// refusals about the patron's standing and limits, never about the item,
// a hold or a card holder who has not registered (R4).
func Overridable(r Reason) bool {
	switch r {
	case ReasonBlocked, ReasonExpired, ReasonFines, ReasonLoanLimit:
		return true
	}
	return false
}

// DeskCheckout lends an item at the staff desk, or refuses with a *Refusal
// giving the exact reason: ReasonNotRegistered, ReasonBlocked,
// ReasonExpired, ReasonFines, ReasonLoanLimit, ReasonItemOnLoan,
// ReasonItemNotForLoan or ReasonHeldForAnother. An unknown barcode gives
// ENOTFOUND. An admin may override a refusal about the patron with a
// reason (req.Override); a desk account that tries gets ErrForbidden.
func (s *Service) DeskCheckout(ctx context.Context, by Actor, req CheckoutRequest) (Loan, error) {
	if err := by.staffOnly(); err != nil {
		return Loan{}, err
	}
	req.Override = strings.TrimSpace(req.Override)
	if req.Override != "" {
		if err := by.adminOnly(); err != nil {
			return Loan{}, err
		}
	}
	return s.checkout(ctx, by, req)
}

func (s *Service) checkout(ctx context.Context, by Actor, req CheckoutRequest) (Loan, error) {
	var loan Loan
	err := s.store.Update(ctx, func(tx Tx) error {
		loan = Loan{}
		now := s.now()
		if err := s.claimRequest(tx, req.RequestToken, "loan.checkout", by); err != nil {
			return err
		}
		p, err := tx.PatronByBarcode(NormalizeBarcode(req.PatronBarcode))
		if err != nil {
			return err
		}
		it, err := tx.ItemByBarcode(NormalizeBarcode(req.ItemBarcode))
		if err != nil {
			return err
		}
		if it.Withdrawn {
			return &Refusal{Reason: ReasonItemNotForLoan}
		}
		holds, err := tx.ItemHolds(it.ID)
		if err != nil {
			return err
		}
		if len(holds) > 0 && holds[0].State == HoldTrapped && holds[0].PatronID != p.ID {
			return &Refusal{Reason: ReasonHeldForAnother}
		}
		n, err := tx.CountOpenLoans(p.ID)
		if err != nil {
			return err
		}
		balance, err := tx.FineBalance(p.ID)
		if err != nil {
			return err
		}
		overridden, err := s.borrowCheck(p, now, n, balance, req.Override != "")
		if err != nil {
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
		if err := s.fulfilHold(tx, by, p.ID, it); err != nil {
			return err
		}
		detail := fmt.Sprintf("item %s due %s", it.Barcode, s.cfg.Today(loan.DueAt))
		if len(overridden) == 0 {
			return s.auditBy(tx, by, p.ID, "loan.checkout", detail)
		}
		return s.auditBy(tx, by, p.ID, "loan.checkout.override",
			fmt.Sprintf("%s; overrode %s: %s", detail, strings.Join(overridden, ", "), req.Override))
	})
	return loan, err
}

// borrowCheck applies CheckBorrow. With override set, refusals an admin
// may override are passed over and returned, so that the audit log names
// each one; any other refusal stands.
func (s *Service) borrowCheck(p Patron, now time.Time, openLoans int, balance Money, override bool) ([]string, error) {
	err := s.cfg.CheckBorrow(p, now, openLoans, balance)
	r, ok := AsRefusal(err)
	if err == nil || !ok || !override || !Overridable(r.Reason) {
		return nil, err
	}
	overridden := []string{string(r.Reason)}
	cat, _ := s.cfg.Category(p.Category)
	if r.Reason != ReasonLoanLimit && openLoans >= cat.MaxLoans {
		// CheckBorrow stops at the first refusal: the loan limit may stand behind it.
		overridden = append(overridden, string(ReasonLoanLimit))
	}
	return overridden, nil
}

// Returned is the outcome of a check-in.
type Returned struct {
	Loan    Loan
	Charged Money // the overdue fine charged now
	// Trapped is the hold the item was trapped for, now waiting on the
	// hold shelf for its patron; nil when no one waits for the item.
	Trapped *Hold
}

// Checkin takes back the item with itemBarcode, charges any overdue fine,
// and traps the item for the first hold in its queue. Unless the patron
// keeps a loan history, the returned loan is unlinked from the patron, so
// the library no longer knows who read what. An item not on loan gives
// ENOTFOUND, so a check-in scanned twice charges nothing twice.
func (s *Service) Checkin(ctx context.Context, itemBarcode, actor string) (Returned, error) {
	return s.checkin(ctx, byName(actor), itemBarcode)
}

// DeskCheckin is Checkin at the staff desk.
func (s *Service) DeskCheckin(ctx context.Context, by Actor, itemBarcode string) (Returned, error) {
	if err := by.staffOnly(); err != nil {
		return Returned{}, err
	}
	return s.checkin(ctx, by, itemBarcode)
}

func (s *Service) checkin(ctx context.Context, by Actor, itemBarcode string) (Returned, error) {
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
		if err := s.auditBy(tx, by, p.ID, "loan.checkin", fmt.Sprintf("item %s fine %s", it.Barcode, out.Charged)); err != nil {
			return err
		}
		out.Trapped, err = s.trap(tx, by, it)
		return err
	})
	return out, err
}

// AsRefusal returns the *Refusal in err's chain, if any.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}
