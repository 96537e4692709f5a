package sip2

import (
	"strconv"

	"github.com/carrel-library/carrel/internal/library"
)

// The hold modes of 15.
const (
	holdPlace  = '+'
	holdCancel = '-'
	holdChange = '*'
)

// hold answers 15 Hold with 16: the patron (AA) places (+) or cancels (-)
// their own hold on the item (AB) under the same rules as at the desk. A
// change (*) is refused: a Carrel hold has no options (expiry date, pickup
// location, hold type) to change. A PIN sent in AD must be the patron's
// own, as for 29 Renew. Carrel holds items, not titles, so AJ alone names
// nothing.
func (c *conn) hold() {
	m := &c.req
	aa, _ := m.Field("AA")
	ab, _ := m.Field("AB")
	pin, err := c.checkPIN(aa)
	if err != nil {
		c.holdReply(false, aa, ab, nil, c.failure(err))
		return
	}
	if pin.sent && !pin.accepted() {
		c.holdReply(false, aa, ab, nil, pinMessage(c, pin))
		return
	}
	rec, err := c.srv.svc.RecordByBarcode(c.srv.ctx, string(aa))
	switch {
	case library.IsCode(err, library.ENOTFOUND):
		c.holdReply(false, aa, ab, nil, c.t("sip2.unknown_patron"))
		return
	case err != nil:
		c.holdReply(false, aa, ab, nil, c.failure(err))
		return
	}
	switch m.Flag(0) {
	case holdPlace:
		h, err := c.srv.svc.PatronPlaceHold(c.srv.ctx, rec.Patron.ID, string(ab), c.actor)
		if err != nil {
			c.holdRefused(&rec, aa, ab, err, "sip2.hold_not_placed")
			return
		}
		c.holdReply(true, aa, ab, &h, c.t("sip2.hold_placed", "position", h.Position))
	case holdCancel:
		err := c.srv.svc.PatronCancelHold(c.srv.ctx, rec.Patron.ID, string(ab), c.actor)
		if err != nil {
			c.holdRefused(&rec, aa, ab, err, "sip2.hold_not_cancelled")
			return
		}
		h := openHold(&rec, ab)
		if h != nil {
			h.State, h.Position = library.HoldCancelled, 0
		}
		c.holdReply(true, aa, ab, h, c.t("sip2.hold_cancelled"))
	case holdChange:
		c.holdRefused(&rec, aa, ab, nil, "sip2.hold_no_change")
	default:
		c.holdRefused(&rec, aa, ab, nil, "sip2.hold_bad_mode")
	}
}

// holdRefused answers a 15 that changed nothing: with the refusal's reason
// in the words of key, the standing message for a card holder (R4), an
// unknown patron or item told apart, or the screen message key itself
// when err is nil. The patron's own hold on the item, if any, is shown.
func (c *conn) holdRefused(rec *library.Record, aa, ab []byte, err error, key string) {
	h := openHold(rec, ab)
	var msg string
	r, refused := library.AsRefusal(err)
	switch {
	case err == nil:
		msg = c.t(key)
	case refused && r.Reason == library.ReasonNotRegistered:
		msg = c.standing(r)
	case refused:
		msg = c.t(key, "reason", c.reason(r))
	default:
		msg = c.circulationFailure(err, aa, false)
	}
	if h == nil && (err == nil || refused) {
		// The title still helps the patron see which item was refused.
		if st, lerr := c.srv.svc.ItemStatusByBarcode(c.srv.ctx, string(ab)); lerr == nil {
			h = &library.Hold{Item: st.Item}
		}
	}
	c.holdReply(false, aa, ab, h, msg)
}

// openHold returns a copy of the patron's open hold on the item with
// barcode ab, from their record; nil when they have none.
func openHold(rec *library.Record, ab []byte) *library.Hold {
	barcode := library.NormalizeBarcode(string(ab))
	for _, h := range rec.Holds {
		if h.Open() && h.Item.Barcode == barcode {
			return &h
		}
	}
	return nil
}

// holdReply finishes a 16. h, when not nil, is the patron's hold on the
// item (or, with no State, just the item): its title, and while open its
// place in the queue (BR) or, on the hold shelf, the day to collect it by
// (BW). Available is Y when the item waits on the hold shelf for the
// patron. Carrel has no pickup location apart from the hold shelf, so BS
// is not sent.
func (c *conn) holdReply(ok bool, aa, ab []byte, h *library.Hold, msg string) {
	c.out.start("16")
	c.out.ok(ok)
	c.out.yn(h != nil && h.State == library.HoldTrapped)
	c.out.date(c.srv.svc.Now())
	if h != nil && h.State == library.HoldTrapped && !h.PickupBy.IsZero() {
		c.out.fieldDate("BW", h.PickupBy)
	}
	if h != nil && h.State == library.HoldWaiting && h.Position > 0 {
		c.out.field("BR", strconv.Itoa(h.Position))
	}
	c.out.field("AO", c.institution())
	c.out.fieldBytes("AA", aa)
	c.out.fieldBytes("AB", ab)
	if h != nil {
		c.out.field("AJ", h.Item.Title)
	} else {
		c.out.field("AJ", "")
	}
	if msg != "" {
		c.out.field("AF", msg)
	}
	c.finish()
}
