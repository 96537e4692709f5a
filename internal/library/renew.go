package library

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// RenewOutcome is what happened to one loan in a renewal.
type RenewOutcome struct {
	LoanID  int64
	Item    Item
	Renewed bool
	NewDue  time.Time // when renewed
	// Refusal says why the loan was not renewed.
	Refusal *Refusal
	// Charged is the overdue fine charged when an overdue loan was renewed.
	Charged Money
}

// Renew renews the patron's loans with the given IDs, or all their current
// loans when loanIDs is nil, and reports an outcome per loan. A loan ID that
// is not one of the patron's current loans gets ReasonNotFound, the same
// answer whether it is someone else's or does not exist. Renewing an overdue
// loan charges the fine accrued so far, since the new due date ends it.
func (s *Service) Renew(ctx context.Context, patronID int64, loanIDs []int64, actor string) ([]RenewOutcome, error) {
	return s.renew(ctx, byName(actor), patronID, loanIDs, "")
}

// DeskRenew is Renew at the staff desk, from the patron's page. A non-empty
// requestToken makes it act once: the same token again gives
// ErrAlreadyDone, so a form submitted twice does not renew twice.
func (s *Service) DeskRenew(ctx context.Context, by Actor, patronID int64, loanIDs []int64, requestToken string) ([]RenewOutcome, error) {
	if err := by.staffOnly(); err != nil {
		return nil, err
	}
	return s.renew(ctx, by, patronID, loanIDs, requestToken)
}

func (s *Service) renew(ctx context.Context, by Actor, patronID int64, loanIDs []int64, requestToken string) ([]RenewOutcome, error) {
	var out []RenewOutcome
	err := s.store.Update(ctx, func(tx Tx) error {
		out = out[:0] // the store may run this function more than once
		now := s.now()
		if err := s.claimRequest(tx, requestToken, "loan.renew", by); err != nil {
			return err
		}
		p, err := tx.PatronByID(patronID)
		if err != nil {
			return err
		}
		loans, err := tx.OpenLoans(patronID)
		if err != nil {
			return err
		}
		balance, err := tx.FineBalance(patronID)
		if err != nil {
			return err
		}
		held, err := tx.HeldItems(patronID)
		if err != nil {
			return err
		}
		byID := make(map[int64]Loan, len(loans))
		for _, l := range loans {
			byID[l.ID] = l
		}
		ids := loanIDs
		if ids == nil {
			for _, l := range loans {
				ids = append(ids, l.ID)
			}
		}
		cat, _ := s.cfg.Category(p.Category)
		seen := make(map[int64]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				continue // a loan named twice is renewed once
			}
			seen[id] = true
			l, ok := byID[id]
			if !ok {
				out = append(out, RenewOutcome{LoanID: id, Refusal: &Refusal{Reason: ReasonNotFound}})
				continue
			}
			o := RenewOutcome{LoanID: id, Item: l.Item}
			err := s.cfg.CheckRenew(p, l, now, balance)
			if err == nil && slices.Contains(held, l.Item.ID) {
				err = &Refusal{Reason: ReasonOnHold} // someone waits for it
			}
			if err != nil {
				var r *Refusal
				if !errors.As(err, &r) {
					return err
				}
				o.Refusal = r
				out = append(out, o)
				continue
			}
			if fine := cat.Fine(s.cfg.OverdueDays(l.DueAt, now)); fine > 0 {
				e := FineEntry{PatronID: p.ID, LoanID: l.ID, Kind: FineCharge, Amount: fine, Note: "overdue, charged at renewal", CreatedAt: now}
				if err := tx.AddFine(&e); err != nil {
					return err
				}
				o.Charged = fine
				balance += fine
			}
			l.DueAt = s.cfg.RenewedDue(cat, l, now)
			l.Renewals++
			if err := tx.UpdateLoan(l); err != nil {
				return err
			}
			o.Renewed, o.NewDue = true, l.DueAt
			if err := s.auditBy(tx, by, p.ID, "loan.renew", fmt.Sprintf("item %s due %s", l.Item.Barcode, s.cfg.Today(l.DueAt))); err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	return out, err
}
