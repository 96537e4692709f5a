package library

import (
	"context"
	"fmt"
	"strings"
)

// FineRequest is a payment or a waiver recorded at the desk.
type FineRequest struct {
	PatronID int64
	// Kind is FinePayment, or FineWaiver (admin only).
	Kind   FineKind
	Amount Money
	// Note says how it was paid, or why it was waived (required for a waiver).
	Note string
	// RequestToken, when not empty, makes the request act once: the same
	// token again gives ErrAlreadyDone, so a form sent twice records once.
	RequestToken string
}

// SettleFine records a payment or a waiver in the patron's fine ledger.
// The amount must be positive and at most the balance (ReasonOverpayment,
// with the balance, otherwise): the balance, charges minus payments and
// waivers, never goes below nothing. A desk account asking for a waiver
// gets ErrForbidden.
func (s *Service) SettleFine(ctx context.Context, by Actor, req FineRequest) (Paid, error) {
	if err := by.staffOnly(); err != nil {
		return Paid{}, err
	}
	req.Note = strings.TrimSpace(req.Note)
	switch req.Kind {
	case FinePayment:
	case FineWaiver:
		if err := by.adminOnly(); err != nil {
			return Paid{}, err
		}
		if req.Note == "" {
			return Paid{}, Errorf(EINVALID, "a waiver needs a note saying why")
		}
	default:
		return Paid{}, Errorf(EINVALID, "record a payment or a waiver")
	}
	if req.Amount <= 0 {
		return Paid{}, Errorf(EINVALID, "the amount must be more than nothing")
	}
	var out Paid
	err := s.store.Update(ctx, func(tx Tx) error {
		out = Paid{}
		if err := s.claimRequest(tx, req.RequestToken, "fine."+string(req.Kind), by); err != nil {
			return err
		}
		p, err := tx.PatronByID(req.PatronID)
		if err != nil {
			return err
		}
		balance, err := tx.FineBalance(p.ID)
		if err != nil {
			return err
		}
		if req.Amount > balance {
			return &Refusal{Reason: ReasonOverpayment, Balance: balance}
		}
		out.Entry = FineEntry{PatronID: p.ID, Kind: req.Kind, Amount: req.Amount, Note: req.Note, CreatedAt: s.now()}
		if err := tx.AddFine(&out.Entry); err != nil {
			return err
		}
		out.Balance = balance - req.Amount
		detail := fmt.Sprintf("%s %s, balance %s", req.Kind, req.Amount, out.Balance)
		if req.Note != "" {
			detail += ": " + req.Note
		}
		return s.auditBy(tx, by, p.ID, "fine."+string(req.Kind), detail)
	})
	return out, err
}
