package sip2

import (
	"github.com/carrel-library/carrel/internal/library"
)

// checkin answers 09 Checkin with 10. The item comes back as at the desk:
// any overdue fine is charged, and the loan is unlinked from the patron
// unless they keep a history. An item that is not on loan is not checked
// in (ok 0) but its security is turned back on (resensitize Y) and the
// alert set, so a sorter sends it to staff.
func (c *conn) checkin() {
	m := &c.req
	ab, _ := m.Field("AB")
	ret, err := c.srv.svc.Checkin(c.srv.ctx, string(ab), c.actor)
	if err == nil {
		msg := c.t("sip2.checked_in")
		if ret.Charged > 0 {
			msg += " " + c.t("sip2.fine_charged", "amount", ret.Charged)
		}
		c.checkinReply(true, ab, &ret.Loan.Item, msg)
		return
	}
	if !library.IsCode(err, library.ENOTFOUND) {
		c.checkinReply(false, ab, nil, c.failure(err))
		return
	}
	st, lerr := c.srv.svc.ItemStatusByBarcode(c.srv.ctx, string(ab))
	switch {
	case lerr == nil:
		c.checkinReply(false, ab, &st.Item, c.t("sip2.not_on_loan"))
	case library.IsCode(lerr, library.ENOTFOUND):
		c.checkinReply(false, ab, nil, c.t("sip2.unknown_item"))
	default:
		c.checkinReply(false, ab, nil, c.failure(lerr))
	}
}

// checkinReply finishes a 10: ok, resensitize, magnetic media unknown,
// alert when not ok; the item's home location (AQ) and title (AJ).
func (c *conn) checkinReply(ok bool, ab []byte, it *library.Item, msg string) {
	c.out.start("10")
	c.out.ok(ok)
	c.out.yn(ok || it != nil)
	c.out.raw("U")
	c.out.yn(!ok)
	c.out.date(c.srv.svc.Now())
	c.out.field("AO", c.institution())
	c.out.fieldBytes("AB", ab)
	if it != nil {
		c.out.field("AQ", it.Location)
		c.out.field("AJ", it.Title)
	} else {
		c.out.field("AQ", "")
	}
	if msg != "" {
		c.out.field("AF", msg)
	}
	c.finish()
}
