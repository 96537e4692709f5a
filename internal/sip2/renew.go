package sip2

import (
	"github.com/carrel-library/carrel/internal/library"
)

// renew answers 29 Renew with 30: the patron's loan of the item (AB) is
// renewed under the same rules as in My Account. An item lent to someone
// else is "not one of your current loans", whatever the third-party flag.
func (c *conn) renew() {
	m := &c.req
	aa, _ := m.Field("AA")
	ab, _ := m.Field("AB")
	pin, err := c.checkPIN(aa)
	if err != nil {
		c.renewReply(false, aa, ab, nil, c.failure(err))
		return
	}
	if pin.sent && !pin.accepted() {
		c.renewReply(false, aa, ab, nil, pinMessage(c, pin))
		return
	}
	st, err := c.srv.svc.ItemStatusByBarcode(c.srv.ctx, string(ab))
	switch {
	case library.IsCode(err, library.ENOTFOUND):
		c.renewReply(false, aa, ab, nil, c.t("sip2.unknown_item"))
		return
	case err != nil:
		c.renewReply(false, aa, ab, nil, c.failure(err))
		return
	case !st.OnLoan() || st.PatronBarcode != library.NormalizeBarcode(string(aa)):
		c.renewReply(false, aa, ab, &st.Item, c.t("sip2.not_renewed", "reason", c.reason(&library.Refusal{Reason: library.ReasonNotFound})))
		return
	}
	out, err := c.srv.svc.Renew(c.srv.ctx, st.Loan.PatronID, []int64{st.Loan.ID}, c.actor)
	if err != nil || len(out) != 1 {
		c.renewReply(false, aa, ab, &st.Item, c.failure(err))
		return
	}
	if !out[0].Renewed {
		c.renewReply(false, aa, ab, &st.Item, c.t("sip2.not_renewed", "reason", c.reason(out[0].Refusal)))
		return
	}
	st.Loan.DueAt = out[0].NewDue
	msg := c.t("sip2.renewed", "date", c.srv.cfg.Today(st.Loan.DueAt))
	if out[0].Charged > 0 {
		msg += " " + c.t("sip2.fine_charged", "amount", out[0].Charged)
	}
	c.renewReply(true, aa, ab, &st.Loan, msg)
}

// pinMessage is the screen message for a PIN that was sent and not accepted.
func pinMessage(c *conn, pin pinCheck) string {
	if pin.message != "" {
		return pin.message
	}
	return c.t("sip2.pin_wrong")
}

// renewReply finishes a 30. it is an *library.Item or a *library.Loan
// (renewed: its new due date is given), or nil for an unknown item.
func (c *conn) renewReply(ok bool, aa, ab []byte, it any, msg string) {
	c.out.start("30")
	c.out.ok(ok)
	c.out.yn(ok)
	c.out.raw("U")
	c.out.yn(false)
	c.out.date(c.srv.svc.Now())
	c.out.field("AO", c.institution())
	c.out.fieldBytes("AA", aa)
	c.out.fieldBytes("AB", ab)
	switch v := it.(type) {
	case *library.Loan:
		c.out.field("AJ", v.Item.Title)
		c.out.fieldDate("AH", v.DueAt)
	case *library.Item:
		c.out.field("AJ", v.Title)
		c.out.field("AH", "")
	default:
		c.out.field("AJ", "")
		c.out.field("AH", "")
	}
	if msg != "" {
		c.out.field("AF", msg)
	}
	c.finish()
}

// renewAll answers 65 Renew All with 66: every current loan of the patron
// that the rules allow is renewed; BM lists those renewed, BN the others.
// Since those lists are the patron's loans, an account that requires the
// PIN for Patron Information requires it here too.
func (c *conn) renewAll() {
	m := &c.req
	aa, _ := m.Field("AA")
	if noPIN, required := c.pinRequired(); required {
		c.renewAllReply(false, nil, pinMessage(c, noPIN))
		return
	}
	pin, err := c.checkPIN(aa)
	if err == nil && pin.sent && !pin.accepted() {
		c.renewAllReply(false, nil, pinMessage(c, pin))
		return
	}
	var rec library.Record
	if err == nil {
		rec, err = c.srv.svc.RecordByBarcode(c.srv.ctx, string(aa))
	}
	switch {
	case library.IsCode(err, library.ENOTFOUND):
		c.renewAllReply(false, nil, c.t("sip2.unknown_patron"))
		return
	case err != nil:
		c.renewAllReply(false, nil, c.failure(err))
		return
	}
	out, err := c.srv.svc.Renew(c.srv.ctx, rec.Patron.ID, nil, c.actor)
	if err != nil {
		c.renewAllReply(false, nil, c.failure(err))
		return
	}
	renewed := 0
	var why *library.Refusal
	for _, o := range out {
		if o.Renewed {
			renewed++
		} else if why == nil {
			why = o.Refusal
		}
	}
	msg := c.t("sip2.renewed_count", "renewed", renewed, "total", len(out))
	if renewed == 0 && why != nil {
		msg = c.t("sip2.not_renewed", "reason", c.reason(why))
	}
	c.renewAllReply(rec.BorrowRefusal == nil, out, msg)
}

// renewAllReply finishes a 66.
func (c *conn) renewAllReply(ok bool, out []library.RenewOutcome, msg string) {
	renewed := 0
	for _, o := range out {
		if o.Renewed {
			renewed++
		}
	}
	c.out.start("66")
	c.out.ok(ok)
	c.out.count(renewed)
	c.out.count(len(out) - renewed)
	c.out.date(c.srv.svc.Now())
	c.out.field("AO", c.institution())
	for _, o := range out {
		if o.Renewed {
			c.out.field("BM", o.Item.Barcode)
		}
	}
	for _, o := range out {
		if !o.Renewed {
			c.out.field("BN", o.Item.Barcode)
		}
	}
	if msg != "" {
		c.out.field("AF", msg)
	}
	c.finish()
}
