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
	// Method is how a payment was paid (one of PaymentMethods); a waiver
	// has none.
	Method PaymentMethod
	// Receipt is a payment's receipt number: the till's or the card
	// terminal's slip number, or the online reference; never a card
	// number. A card or online payment needs one; a cash payment without
	// one gets Carrel's own. A waiver has none.
	Receipt string
	// Note says more about a payment, or why a fine is waived (required
	// for a waiver).
	Note string
	// RequestToken, when not empty, makes the request act once: the same
	// token again gives ErrAlreadyDone, so a form sent twice records once.
	RequestToken string
}

// SettleFine records a payment or a waiver in the patron's fine ledger,
// with the staff account that took it, for the cash-up. The amount must be
// positive and at most the balance (ReasonOverpayment, with the balance,
// otherwise): the balance, charges minus payments and waivers, never goes
// below nothing.
//
// A payment needs its method, and a card or online payment its receipt
// number (EINVALID: ErrMethodMissing, ErrReceiptMissing, ErrReceiptBad,
// ErrReceiptReserved). A receipt number is recorded once per patron: the
// same payment again records nothing and gives Paid.AlreadyRecorded;
// another payment with that number gives a *ReceiptTakenError.
//
// A waiver is no money received: only an admin may record one (a desk
// account gets ErrForbidden), with a note saying why, and it has no
// method or receipt.
func (s *Service) SettleFine(ctx context.Context, by Actor, req FineRequest) (Paid, error) {
	if err := by.staffOnly(); err != nil {
		return Paid{}, err
	}
	req.Note = strings.TrimSpace(req.Note)
	switch req.Kind {
	case FinePayment:
		receipt, err := checkPayment(req.Amount, req.Method, req.Receipt)
		if err != nil {
			return Paid{}, err
		}
		req.Receipt = receipt
	case FineWaiver:
		if err := by.adminOnly(); err != nil {
			return Paid{}, err
		}
		if req.Note == "" {
			return Paid{}, Errorf(EINVALID, "a waiver needs a note saying why")
		}
		if req.Method != "" || strings.TrimSpace(req.Receipt) != "" {
			return Paid{}, Errorf(EINVALID, "a waiver is no money received: it has no method or receipt")
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
		if req.Kind == FinePayment {
			out, err = s.recordPayment(tx, p, payment{amount: req.Amount, method: req.Method, receipt: req.Receipt,
				note: req.Note, by: by})
			return err
		}
		out, err = s.waive(tx, p, req.Amount, req.Note, by)
		return err
	})
	return out, err
}

// waive records a waiver of amount for patron p inside tx, at most the
// balance.
func (s *Service) waive(tx Tx, p Patron, amount Money, note string, by Actor) (Paid, error) {
	balance, err := tx.FineBalance(p.ID)
	if err != nil {
		return Paid{}, err
	}
	if amount > balance {
		return Paid{}, &Refusal{Reason: ReasonOverpayment, Balance: balance}
	}
	out := Paid{Balance: balance - amount, Entry: FineEntry{PatronID: p.ID, Kind: FineWaiver, Amount: amount,
		TakenBy: by.Name, Note: note, CreatedAt: s.now()}}
	if err := tx.AddFine(&out.Entry); err != nil {
		return Paid{}, err
	}
	return out, s.auditBy(tx, by, p.ID, "fine.waiver", fmt.Sprintf("waiver %s, balance %s: %s", amount, out.Balance, note))
}
