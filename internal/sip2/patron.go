package sip2

import (
	"github.com/carrel-library/carrel/internal/library"
)

// patronFlags is the 14-character patron status field of 24 and 64:
// Y where a privilege is denied or a limit reached, a blank elsewhere.
type patronFlags [14]byte

// The positions of patronFlags that Carrel sets.
const (
	flagChargeDenied  = 0
	flagRenewDenied   = 1
	flagRecallDenied  = 2
	flagHoldDenied    = 3
	flagTooManyItems  = 5
	flagExcessiveFine = 10
)

// flagsFor works out the patron status flags from the borrowing record. A
// patron who may not borrow at all (card holder, blocked, expired, fines)
// has charge, renewal, recall and hold privileges denied; one at the loan
// limit has charging denied, and one at the hold limit holds denied.
func flagsFor(rec *library.Record) patronFlags {
	var f patronFlags
	for i := range f {
		f[i] = ' '
	}
	if r := rec.BorrowRefusal; r != nil {
		f[flagChargeDenied], f[flagRenewDenied], f[flagRecallDenied], f[flagHoldDenied] = 'Y', 'Y', 'Y', 'Y'
		if r.Reason == library.ReasonFines {
			f[flagExcessiveFine] = 'Y'
		}
	}
	if rec.LoanCount >= rec.Category.MaxLoans {
		f[flagChargeDenied], f[flagTooManyItems] = 'Y', 'Y'
	}
	open := 0
	for _, h := range rec.Holds {
		if h.Open() {
			open++
		}
	}
	if open >= rec.Category.MaxHolds {
		f[flagHoldDenied] = 'Y'
	}
	return f
}

// unknownFlags are the flags of a barcode no patron has: every privilege denied.
func unknownFlags() patronFlags {
	f := patronFlags{'Y', 'Y', 'Y', 'Y'}
	for i := 4; i < len(f); i++ {
		f[i] = ' '
	}
	return f
}

// patron is what a patron request found: the record, whether the barcode
// is a patron's, and the PIN check.
type patron struct {
	found bool
	rec   library.Record
	pin   pinCheck
}

// lookUpPatron checks the request's PIN, if any, then reads the patron's
// record in one read transaction.
func (c *conn) lookUpPatron(aa []byte) (patron, error) {
	var p patron
	var err error
	if p.pin, err = c.checkPIN(aa); err != nil {
		return p, err
	}
	p.rec, err = c.srv.svc.RecordByBarcode(c.srv.ctx, string(aa))
	switch {
	case err == nil:
		p.found = true
	case library.IsCode(err, library.ENOTFOUND):
		err = nil
	}
	return p, err
}

// screenMessage is the AF of a patron reply: why the PIN was not accepted,
// else why the patron may not borrow, else nothing. What staff chose to
// tell a blocked patron is shown only with the patron's PIN accepted in
// the same request: a gate or a machine that sends the barcode alone
// gets the neutral "contact library staff". A PIN not accepted, or
// a paused barcode, gets the same words whether or not the barcode is a
// patron's, as in every other transaction: only BL says that.
func (c *conn) screenMessage(p *patron) string {
	switch {
	case p.found && p.rec.BorrowRefusal != nil && p.rec.BorrowRefusal.Reason == library.ReasonNotRegistered:
		return c.standing(p.rec.BorrowRefusal) // register first, PIN or not (R4)
	case p.pin.sent && p.pin.message != "":
		return p.pin.message
	case !p.found:
		return c.t("sip2.unknown_patron")
	case p.rec.BorrowRefusal != nil:
		if told := c.blockNotice(p.rec.BorrowRefusal); told != "" && p.pin.accepted() {
			return told
		}
		return c.standing(p.rec.BorrowRefusal)
	}
	return ""
}

// patronFields appends what 24 and 64 share after their fixed parts' flags:
// AO, AA, AE, then (called separately) BL, CQ, BH, BV.
func (c *conn) patronIdentity(aa []byte, p *patron) {
	c.out.field("AO", c.institution())
	c.out.fieldBytes("AA", aa)
	if p.found {
		c.out.field("AE", p.rec.Patron.Name)
	} else {
		c.out.field("AE", "")
	}
}

// patronValidity appends BL (valid patron), CQ (valid PIN, when one was
// sent), and the fine balance (BH, BV).
func (c *conn) patronValidity(p *patron) {
	c.out.fieldYN("BL", p.found)
	if p.pin.sent {
		c.out.fieldYN("CQ", p.found && p.pin.accepted())
	}
	c.out.field("BH", "HKD")
	if p.found && p.rec.FineBalance != 0 {
		c.out.fieldMoney("BV", p.rec.FineBalance)
	}
}

// patronStatus answers 23 Patron Status with 24.
func (c *conn) patronStatus() {
	m := &c.req
	c.setLanguage(m.Fixed[0:3])
	aa, _ := m.Field("AA")
	p, err := c.lookUpPatron(aa)
	c.patronStatusReply(aa, &p, m.Fixed[0:3], err)
}

// patronStatusReply builds a 24 for 23 and 01.
func (c *conn) patronStatusReply(aa []byte, p *patron, lang []byte, err error) {
	flags := unknownFlags()
	if err == nil && p.found {
		flags = flagsFor(&p.rec)
	}
	c.out.start("24")
	c.out.b = append(c.out.b, flags[:]...)
	c.out.b = append(c.out.b, lang...)
	c.out.date(c.srv.svc.Now())
	c.patronIdentity(aa, p)
	c.patronValidity(p)
	if err != nil {
		c.out.field("AF", c.failure(err))
	} else if msg := c.screenMessage(p); msg != "" {
		c.out.field("AF", msg)
	}
	c.finish()
}

// blockPatron answers 01 Block Patron: the patron is blocked from borrowing
// with the machine's message (AL) as the reason staff see, and the reply is
// the 24 Patron Status of the patron as now blocked.
func (c *conn) blockPatron() {
	m := &c.req
	aa, _ := m.Field("AA")
	reason := "SIP2 block by " + c.actor
	if al := m.String("AL"); al != "" {
		reason += ": " + al
	}
	var p patron
	cardKept := len(m.Fixed) > 0 && m.Fixed[0] == 'Y' // the card retained field
	_, err := c.srv.svc.BlockCard(c.srv.ctx, string(aa), reason, c.actor, cardKept)
	if err == nil {
		p.rec, err = c.srv.svc.RecordByBarcode(c.srv.ctx, string(aa))
	}
	switch {
	case err == nil:
		p.found = true
	case library.IsCode(err, library.ENOTFOUND):
		err = nil
	}
	c.forgetPatron()
	c.patronStatusReply(aa, &p, []byte("000"), err)
}

// endSession answers 35 End Patron Session with 36, forgetting the patron's
// verified PIN on this connection.
func (c *conn) endSession() {
	aa, _ := c.req.Field("AA")
	c.out.start("36")
	c.out.yn(true)
	c.out.date(c.srv.svc.Now())
	c.out.field("AO", c.institution())
	c.out.fieldBytes("AA", aa)
	c.finish()
	c.forgetPatron()
}
