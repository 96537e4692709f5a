package sip2

import (
	"github.com/carrel-library/carrel/internal/library"
)

// The positions of the summary field of 63: which list of items the
// client asks for (at most one Y).
const (
	summaryHold        = 0
	summaryOverdue     = 1
	summaryCharged     = 2
	summaryFine        = 3
	summaryRecall      = 4
	summaryUnavailable = 5
)

// maxListed bounds how many items one 64 lists, whatever BP and BQ ask.
const maxListed = 500

// patronInformation answers 63 Patron Information with 64: the patron's
// standing, counts of hold, overdue, charged, fine and unavailable hold
// items, the one list the summary field asks for (in the BP..BQ range),
// and the PIN check when AD is sent. Without a PIN check it costs one read
// transaction. A hold item is any hold the patron has, ready on the hold
// shelf or waiting (as Evergreen and Koha count them); an unavailable
// hold is one still in its item's queue.
//
// A PIN typed (AD not empty) and not accepted withholds the record: the
// reply says that the PIN is not right and, as for any barcode, whether
// the barcode is a patron's, but shows no name, counts, privileges,
// limits, items or fines, so that someone trying another patron's card
// with their own PIN learns nothing of that patron. For an account that
// requires the PIN (the default), a request without AD, or with AD
// empty, gets that same reply, and counts as no failure against the
// patron: it is no guess at a PIN.
func (c *conn) patronInformation() {
	m := &c.req
	lang, summary := m.Fixed[0:3], m.Fixed[21:31]
	c.setLanguage(lang)
	aa, _ := m.Field("AA")
	p, err := c.lookUpPatron(aa)
	noPIN, required := c.pinRequired()
	if required {
		p.pin = noPIN
	}
	ad, _ := m.Field("AD")
	show := p.found && (p.pin.accepted() || len(ad) == 0 && !required)
	if p.found && !show {
		p.rec = withheld(p.rec)
	}

	flags := unknownFlags()
	var overdue, fines, onShelf, waiting int
	if err == nil && show {
		flags = flagsFor(&p.rec)
		for i := range p.rec.Holds {
			switch p.rec.Holds[i].State {
			case library.HoldTrapped:
				onShelf++
			case library.HoldWaiting:
				waiting++
			}
		}
		for i := range p.rec.Loans {
			if p.rec.Loans[i].OverdueDays > 0 {
				overdue++
				if p.rec.Loans[i].FineAccruing > 0 {
					fines++
				}
			}
		}
	}
	c.out.start("64")
	c.out.b = append(c.out.b, flags[:]...)
	c.out.b = append(c.out.b, lang...)
	c.out.date(c.srv.svc.Now())
	c.out.count(onShelf + waiting)
	c.out.count(overdue)
	c.out.count(p.rec.LoanCount)
	c.out.count(fines)
	c.out.count(0) // recalls: Carrel does not recall loans
	c.out.count(waiting)
	c.patronIdentity(aa, &p)
	if show {
		if _, ok := c.srv.cfg.Category(p.rec.Patron.Category); ok {
			c.out.fieldCount("BZ", p.rec.Category.MaxHolds)
			c.out.fieldCount("CB", p.rec.Category.MaxLoans)
		}
	}
	c.patronValidity(&p)
	if p.found && c.srv.cfg.FineThreshold > 0 {
		c.out.fieldMoney("CC", c.srv.cfg.FineThreshold)
	}
	if err == nil && show {
		c.itemLists(&p.rec, summary)
	}
	if err != nil {
		c.out.field("AF", c.failure(err))
	} else if msg := c.screenMessage(&p); msg != "" {
		c.out.field("AF", msg)
	}
	c.finish()
}

// pinRequired reports whether the request lacks the PIN its account
// requires (no AD, or AD empty), and if so the PIN check to answer it
// with: a wrong PIN's, though nothing was checked or counted.
func (c *conn) pinRequired() (pinCheck, bool) {
	ad, _ := c.req.Field("AD")
	if c.account == nil || !c.account.RequirePIN || len(ad) != 0 {
		return pinCheck{}, false
	}
	return pinCheck{sent: true, verdict: library.PINWrong, message: c.t("sip2.pin_wrong")}, true
}

// withheld is what a 64 may show of a record when the PIN typed was not
// accepted: nothing, but that a card holder must register first (R4),
// which the reply says to anyone, PIN or not.
func withheld(rec library.Record) library.Record {
	var out library.Record
	if r := rec.BorrowRefusal; r != nil && r.Reason == library.ReasonNotRegistered {
		out.BorrowRefusal = r
	}
	return out
}

// itemLists appends the list the summary asks for, by item barcode: hold
// items (AS: every hold of the patron, those ready on the hold shelf
// first, then those waiting in their queue), overdue items (AT),
// charged items (AU), fine items (AV: overdue loans accruing a fine, with
// the amount so far), or unavailable hold items (CD: holds still in their
// queue). The recall list is always empty.
func (c *conn) itemLists(rec *library.Record, summary []byte) {
	first, last := c.itemRange()
	switch {
	case summary[summaryHold] == 'Y':
		c.holdList(rec, "AS", first, last, library.HoldTrapped, library.HoldWaiting)
		return
	case summary[summaryUnavailable] == 'Y':
		c.holdList(rec, "CD", first, last, library.HoldWaiting)
		return
	}
	var tag string
	var keep func(l *library.LoanLine) bool
	switch {
	case summary[summaryOverdue] == 'Y':
		tag, keep = "AT", func(l *library.LoanLine) bool { return l.OverdueDays > 0 }
	case summary[summaryCharged] == 'Y':
		tag, keep = "AU", func(*library.LoanLine) bool { return true }
	case summary[summaryFine] == 'Y':
		tag, keep = "AV", func(l *library.LoanLine) bool { return l.OverdueDays > 0 && l.FineAccruing > 0 }
	default:
		return
	}
	n := 0
	for i := range rec.Loans {
		l := &rec.Loans[i]
		if !keep(l) {
			continue
		}
		n++
		if n < first || n > last {
			continue
		}
		if tag == "AV" {
			c.out.b = append(c.out.b, tag...)
			c.out.b = appendMoney(c.out.b, l.FineAccruing)
			c.out.b = append(c.out.b, ' ')
			c.out.field("", l.Item.Barcode)
			continue
		}
		c.out.field(tag, l.Item.Barcode)
	}
}

// holdList appends, under tag, the barcodes of the items of the patron's
// holds in the given states, those in the first state first, the
// first..last of them.
func (c *conn) holdList(rec *library.Record, tag string, first, last int, states ...library.HoldState) {
	n := 0
	for _, state := range states {
		for i := range rec.Holds {
			if rec.Holds[i].State != state {
				continue
			}
			n++
			if n >= first && n <= last {
				c.out.field(tag, rec.Holds[i].Item.Barcode)
			}
		}
	}
}

// itemRange reads BP (start item) and BQ (end item), one-based and
// inclusive; without them the list starts at the first item. At most
// maxListed items are listed.
func (c *conn) itemRange() (first, last int) {
	first, last = 1, maxListed
	if v, ok := c.req.Field("BP"); ok {
		if n, ok := atoi(v); ok && n >= 1 {
			first = n
		}
	}
	last = first + maxListed - 1
	if v, ok := c.req.Field("BQ"); ok {
		if n, ok := atoi(v); ok && n >= first {
			last = min(n, last)
		}
	}
	return first, last
}

// atoi reads a small non-negative decimal number.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 6 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
