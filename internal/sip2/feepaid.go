package sip2

import (
	"errors"
	"fmt"

	"github.com/carrel-library/carrel/internal/library"
)

// paymentMethods maps SIP2's payment types (37, fixed positions 21-22)
// onto the library's payment methods: 00 is cash, 01 VISA and 02 credit
// card are the card terminal. The standard has no other; a kiosk that
// sends another is refused, so that no payment lands in a column of the
// cash-up that its money is not in.
var paymentMethods = map[string]library.PaymentMethod{
	"00": library.PayCash,
	"01": library.PayCard,
	"02": library.PayCard,
}

// feePaid answers 37 Fee Paid with 38: a payment in HKD (BV) recorded in the
// patron's fine ledger, up to what they owe; more than that, or a payment
// when nothing is owed, is refused with what is owed. The kiosk's
// transaction id (BK) is the payment's receipt number, recorded once per
// patron: a 37 whose BK the patron's ledger holds already, for the same
// amount and payment type, is answered as it was the first time (accepted,
// with the balance as it is now) and charges nothing, on any connection,
// with checksums or without.
func (c *conn) feePaid() {
	m := &c.req
	aa, _ := m.Field("AA")
	feeType, payType, currency := m.Fixed[18:20], m.Fixed[20:22], m.Fixed[22:25]
	bv, _ := m.Field("BV")
	amount, amountOK := parseMoney(bv)
	method, methodOK := paymentMethods[string(payType)]
	pin, err := c.checkPIN(aa)
	switch {
	case err != nil:
		c.feePaidReply(false, aa, c.failure(err))
		return
	case pin.sent && !pin.accepted():
		c.feePaidReply(false, aa, pinMessage(c, pin))
		return
	case string(currency) != "HKD" && string(currency) != "   ":
		c.feePaidReply(false, aa, c.t("sip2.wrong_currency"))
		return
	case !amountOK || amount <= 0:
		c.feePaidReply(false, aa, c.t("sip2.bad_amount"))
		return
	case !methodOK:
		c.feePaidReply(false, aa, c.t("sip2.payment_type"))
		return
	}
	bk, _ := m.Field("BK")
	paid, err := c.srv.svc.PayFine(c.srv.ctx, c.actor, library.FeePayment{PatronBarcode: string(aa), Amount: amount,
		Method: method, Receipt: string(bk), Note: fmt.Sprintf("SIP2 payment type %s, fee type %s", payType, feeType)})
	taken, isTaken := library.AsReceiptTaken(err)
	switch r, refused := library.AsRefusal(err); {
	case err == nil:
		c.feePaidReply(true, aa, c.t("sip2.paid", "amount", paid.Entry.Amount, "balance", paid.Balance))
	case refused:
		c.feePaidReply(false, aa, c.reason(r))
	case isTaken:
		c.feePaidReply(false, aa, c.t("sip2.transaction_taken", "amount", taken.Earlier.Amount))
	case errors.Is(err, library.ErrReceiptMissing):
		c.feePaidReply(false, aa, c.t("sip2.transaction_missing"))
	case errors.Is(err, library.ErrReceiptBad), errors.Is(err, library.ErrReceiptReserved):
		c.feePaidReply(false, aa, c.t("sip2.transaction_bad"))
	case library.IsCode(err, library.ENOTFOUND):
		c.feePaidReply(false, aa, c.t("sip2.unknown_patron"))
	default:
		c.feePaidReply(false, aa, c.failure(err))
	}
}

// feePaidReply finishes a 38, echoing the client's transaction id (BK).
func (c *conn) feePaidReply(accepted bool, aa []byte, msg string) {
	c.out.start("38")
	c.out.yn(accepted)
	c.out.date(c.srv.svc.Now())
	c.out.field("AO", c.institution())
	c.out.fieldBytes("AA", aa)
	if bk, ok := c.req.Field("BK"); ok {
		c.out.fieldBytes("BK", bk)
	}
	if msg != "" {
		c.out.field("AF", msg)
	}
	c.finish()
}
