package sip2

import (
	"fmt"

	"github.com/carrel-library/carrel/internal/library"
)

// maxNoteField bounds how much of a client's transaction id goes into the
// fine ledger's note.
const maxNoteField = 64

// feePaid answers 37 Fee Paid with 38: a payment in HKD (BV) recorded in the
// patron's fine ledger, up to what they owe; more than that, or a payment
// when nothing is owed, is refused with what is owed.
func (c *conn) feePaid() {
	m := &c.req
	aa, _ := m.Field("AA")
	feeType, payType, currency := m.Fixed[18:20], m.Fixed[20:22], m.Fixed[22:25]
	bv, _ := m.Field("BV")
	amount, amountOK := parseMoney(bv)
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
	}
	bk, _ := m.Field("BK")
	if len(bk) > maxNoteField {
		bk = bk[:maxNoteField]
	}
	note := fmt.Sprintf("SIP2 payment type %s, fee type %s, transaction %q", payType, feeType, bk)
	paid, err := c.srv.svc.PayFine(c.srv.ctx, string(aa), amount, note, c.actor)
	switch r, refused := library.AsRefusal(err); {
	case err == nil:
		c.feePaidReply(true, aa, c.t("sip2.paid", "amount", amount, "balance", paid.Balance))
	case refused:
		c.feePaidReply(false, aa, c.reason(r))
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
