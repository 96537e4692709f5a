package library

import (
	"context"
)

// ReasonOverpayment refuses a payment larger than what the patron owes.
const ReasonOverpayment Reason = "overpayment"

// Paid is the outcome of a fine payment.
type Paid struct {
	Entry   FineEntry
	Balance Money // what the patron still owes
	// AlreadyRecorded is set when the payment's receipt number was already
	// in the patron's ledger, for the same amount and method: nothing was
	// recorded, Entry is the earlier payment and Balance what is owed now.
	// A kiosk sending its request again, or a slip typed in twice, pays
	// once.
	AlreadyRecorded bool
}

// FeePayment is a payment made at a machine: a SIP2 kiosk's 37 Fee Paid.
type FeePayment struct {
	PatronBarcode string
	Amount        Money
	Method        PaymentMethod
	// Receipt is the machine's transaction id; empty only for cash, which
	// then gets a receipt number from Carrel.
	Receipt string
	// Note says more about the payment, for staff: never a card number.
	Note string
}

// PayFine records a payment made at a machine towards the fines of the
// patron with the given barcode, in the fine ledger, taken by actor (the
// machine's account, "sip2:LOGIN", under which the cash-up counts it).
// The amount must be positive and the method one of PaymentMethods, with
// a receipt number for a card or online payment (EINVALID otherwise, as
// ErrMethodMissing, ErrReceiptMissing, ErrReceiptBad or
// ErrReceiptReserved). A payment whose receipt number the patron's
// ledger already holds records nothing (see recordPayment): the same
// payment gives Paid.AlreadyRecorded, another amount or method a
// *ReceiptTakenError. Otherwise a payment larger than the balance, or any
// payment when nothing is owed, is refused with ReasonOverpayment and
// Balance set, so that no credit builds up unnoticed.
func (s *Service) PayFine(ctx context.Context, actor string, fp FeePayment) (Paid, error) {
	receipt, err := checkPayment(fp.Amount, fp.Method, fp.Receipt)
	if err != nil {
		return Paid{}, err
	}
	pay := payment{amount: fp.Amount, method: fp.Method, receipt: receipt, note: fp.Note, by: byName(actor)}
	var out Paid
	err = s.store.Update(ctx, func(tx Tx) error {
		out = Paid{}
		p, err := tx.PatronByBarcode(NormalizeBarcode(fp.PatronBarcode))
		if err != nil {
			return err
		}
		out, err = s.recordPayment(tx, p, pay)
		return err
	})
	return out, err
}
