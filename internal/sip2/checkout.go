package sip2

import (
	"github.com/carrel-library/carrel/internal/library"
)

// checkout answers 11 Checkout with 12. The domain's rules decide, exactly
// as at the staff desk and in My Account. When the item is already on
// loan to the same patron and the kiosk's renewal policy (the first fixed
// field) is Y, the checkout renews it, as SIP2 provides. A PIN sent in AD
// must be the patron's own; without AD the kiosk is trusted to have
// checked the card.
func (c *conn) checkout() {
	m := &c.req
	aa, _ := m.Field("AA")
	ab, _ := m.Field("AB")
	pin, err := c.checkPIN(aa)
	if err == nil && pin.sent && !pin.accepted() {
		msg := pin.message
		if msg == "" {
			msg = c.t("sip2.pin_wrong")
		}
		c.checkoutReply(false, false, aa, ab, nil, msg)
		return
	}
	if err != nil {
		c.checkoutReply(false, false, aa, ab, nil, c.failure(err))
		return
	}
	if m.Flag(0) == 'Y' || isCancel(m) {
		if done := c.renewOrCancelOwnLoan(aa, ab, isCancel(m)); done {
			return
		}
	}
	loan, err := c.srv.svc.Checkout(c.srv.ctx, string(aa), string(ab), c.actor)
	if err == nil {
		c.checkoutReply(true, false, aa, ab, &loan, c.t("sip2.checked_out", "date", c.srv.cfg.Today(loan.DueAt)))
		return
	}
	c.checkoutReply(false, false, aa, ab, nil, c.circulationFailure(err, aa, true))
}

// isCancel reports whether the request's BI (cancel) field is Y.
func isCancel(m *Message) bool {
	v, ok := m.Field("BI")
	return ok && len(v) == 1 && v[0] == 'Y'
}

// renewOrCancelOwnLoan handles a checkout of an item the patron already
// has: renewed under the SC renewal policy, or, for a cancelled checkout
// (BI Y), returned. It reports whether it answered.
func (c *conn) renewOrCancelOwnLoan(aa, ab []byte, cancel bool) bool {
	st, err := c.srv.svc.ItemStatusByBarcode(c.srv.ctx, string(ab))
	if err != nil || !st.OnLoan() || st.PatronBarcode != library.NormalizeBarcode(string(aa)) {
		if cancel {
			c.checkoutReply(false, false, aa, ab, nil, c.t("sip2.not_on_loan"))
			return true
		}
		return false
	}
	if cancel {
		ret, err := c.srv.svc.Checkin(c.srv.ctx, string(ab), c.actor)
		if err != nil {
			c.checkoutReply(false, false, aa, ab, nil, c.circulationFailure(err, aa, false))
			return true
		}
		c.checkoutReply(true, false, aa, ab, &ret.Loan, c.t("sip2.checked_in"))
		return true
	}
	out, err := c.srv.svc.Renew(c.srv.ctx, st.Loan.PatronID, []int64{st.Loan.ID}, c.actor)
	if err != nil || len(out) != 1 {
		c.checkoutReply(false, false, aa, ab, nil, c.failure(err))
		return true
	}
	o := out[0]
	if !o.Renewed {
		c.checkoutReply(false, false, aa, ab, nil, c.t("sip2.not_renewed", "reason", c.reason(o.Refusal)))
		return true
	}
	loan := st.Loan
	loan.DueAt = o.NewDue
	c.checkoutReply(true, true, aa, ab, &loan, c.t("sip2.renewed", "date", c.srv.cfg.Today(o.NewDue)))
	return true
}

// checkoutReply finishes a 12: ok, renewal ok, magnetic media unknown,
// desensitize Y only when the item leaves on loan.
func (c *conn) checkoutReply(ok, renewed bool, aa, ab []byte, loan *library.Loan, msg string) {
	c.out.start("12")
	c.out.ok(ok)
	c.out.yn(renewed)
	c.out.raw("U")
	c.out.yn(ok)
	c.out.date(c.srv.svc.Now())
	c.out.field("AO", c.institution())
	c.out.fieldBytes("AA", aa)
	c.out.fieldBytes("AB", ab)
	if loan != nil {
		c.out.field("AJ", loan.Item.Title)
		if loan.Open() {
			c.out.fieldDate("AH", loan.DueAt)
		}
	} else {
		c.out.field("AJ", "")
		c.out.field("AH", "")
	}
	if msg != "" {
		c.out.field("AF", msg)
	}
	c.finish()
}

// circulationFailure explains why a checkout, checkin or renewal did not
// happen: a rule's refusal in the patron's words, an unknown patron or
// item (told apart by a look-up, only on this rare path), or a fault.
func (c *conn) circulationFailure(err error, aa []byte, borrowing bool) string {
	if r, ok := library.AsRefusal(err); ok {
		if borrowing {
			return c.standing(r)
		}
		return c.reason(r)
	}
	if library.IsCode(err, library.ENOTFOUND) {
		if len(aa) > 0 {
			exists, lerr := c.srv.svc.PatronExists(c.srv.ctx, string(aa))
			if lerr != nil {
				return c.failure(lerr)
			}
			if !exists {
				return c.t("sip2.unknown_patron")
			}
		}
		return c.t("sip2.unknown_item")
	}
	return c.failure(err)
}
