package sip2

import (
	"github.com/carrel-library/carrel/internal/library"
)

// checkin answers 09 Checkin with 10. The item comes back as at the desk:
// any overdue fine is charged, and the loan is unlinked from the patron
// unless they keep a history. An item that is not on loan is not checked
// in (ok 0) but its security is turned back on (resensitize Y) and the
// alert set, so a sorter sends it to staff. An item trapped for a hold is
// checked in with the alert set too, and alert type 01 (hold for this
// library), so that it goes to the hold shelf, not back on the shelves.
func (c *conn) checkin() {
	m := &c.req
	ab, _ := m.Field("AB")
	ret, err := c.srv.svc.Checkin(c.srv.ctx, string(ab), c.actor)
	if err == nil {
		msg := c.t("sip2.checked_in")
		if ret.Trapped != nil {
			msg = c.t("sip2.checked_in_held")
		}
		if ret.Charged > 0 {
			msg += " " + c.t("sip2.fine_charged", "amount", ret.Charged)
		}
		c.checkinReply(true, ret.Trapped != nil, ab, &ret.Loan.Item, msg)
		return
	}
	if !library.IsCode(err, library.ENOTFOUND) {
		c.checkinReply(false, false, ab, nil, c.failure(err))
		return
	}
	st, lerr := c.srv.svc.ItemStatusByBarcode(c.srv.ctx, string(ab))
	switch {
	case lerr == nil:
		c.checkinReply(false, false, ab, &st.Item, c.t("sip2.not_on_loan"))
	case library.IsCode(lerr, library.ENOTFOUND):
		c.checkinReply(false, false, ab, nil, c.t("sip2.unknown_item"))
	default:
		c.checkinReply(false, false, ab, nil, c.failure(lerr))
	}
}

// alertHold is the alert type (CV) of an item returned for a hold: hold
// for this library.
const alertHold = "01"

// checkinReply finishes a 10: ok, resensitize, magnetic media unknown,
// alert when not ok or when the item is held; the item's home location
// (AQ) and title (AJ).
func (c *conn) checkinReply(ok, held bool, ab []byte, it *library.Item, msg string) {
	c.out.start("10")
	c.out.ok(ok)
	c.out.yn(ok || it != nil)
	c.out.raw("U")
	c.out.yn(!ok || held)
	c.out.date(c.srv.svc.Now())
	c.out.field("AO", c.institution())
	c.out.fieldBytes("AB", ab)
	if it != nil {
		c.out.field("AQ", it.Location)
		c.out.field("AJ", it.Title)
	} else {
		c.out.field("AQ", "")
	}
	if held {
		c.out.field("CV", alertHold)
	}
	if msg != "" {
		c.out.field("AF", msg)
	}
	c.finish()
}
