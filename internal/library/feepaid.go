package library

import (
	"context"
	"fmt"
)

// ReasonOverpayment refuses a payment larger than what the patron owes.
const ReasonOverpayment Reason = "overpayment"

// Paid is the outcome of a fine payment.
type Paid struct {
	Entry   FineEntry
	Balance Money // what the patron still owes
}

// PayFine records a payment of amount towards the fines of the patron with
// the given barcode, in the fine ledger. A payment must be positive
// (EINVALID otherwise) and at most the balance: a larger one, or any
// payment when nothing is owed, is refused with ReasonOverpayment and
// Balance set, so that no credit builds up unnoticed. note says how it was
// paid; actor names who took it, for the audit log.
func (s *Service) PayFine(ctx context.Context, patronBarcode string, amount Money, note, actor string) (Paid, error) {
	if amount <= 0 {
		return Paid{}, Errorf(EINVALID, "a payment must be more than nothing")
	}
	var out Paid
	err := s.store.Update(ctx, func(tx Tx) error {
		out = Paid{}
		p, err := tx.PatronByBarcode(NormalizeBarcode(patronBarcode))
		if err != nil {
			return err
		}
		balance, err := tx.FineBalance(p.ID)
		if err != nil {
			return err
		}
		if amount > balance {
			return &Refusal{Reason: ReasonOverpayment, Balance: balance}
		}
		out.Entry = FineEntry{PatronID: p.ID, Kind: FinePayment, Amount: amount, Note: note, CreatedAt: s.now()}
		if err := tx.AddFine(&out.Entry); err != nil {
			return err
		}
		out.Balance = balance - amount
		return s.audit(tx, actor, p.ID, "fine.payment", fmt.Sprintf("paid %s, balance %s", amount, out.Balance))
	})
	return out, err
}
