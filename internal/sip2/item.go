package sip2

import (
	"strconv"

	"github.com/carrel-library/carrel/internal/library"
)

// Circulation status codes of 18 that Carrel uses.
const (
	circOther     = "01"
	circAvailable = "03"
	circCharged   = "04"
	circHoldShelf = "08" // waiting on the hold shelf
)

// itemInformation answers 17 Item Information with 18: whether the item is
// available, out or waiting on the hold shelf, its due date when out, its
// hold queue length, title and location. Neither the borrower nor whoever
// holds it is named.
func (c *conn) itemInformation() {
	ab, _ := c.req.Field("AB")
	st, err := c.srv.svc.ItemStatusByBarcode(c.srv.ctx, string(ab))
	status := circAvailable
	switch {
	case err != nil:
		status = circOther
	case st.OnLoan():
		status = circCharged
	case st.Item.Withdrawn:
		status = circOther
	case st.Trapped:
		status = circHoldShelf
	}
	c.out.start("18")
	c.out.raw(status)
	c.out.raw("00") // security marker: other (Carrel does not know)
	c.out.raw("01") // fee type: other
	c.out.date(c.srv.svc.Now())
	if err == nil && st.OnLoan() {
		c.out.fieldDate("AH", st.Loan.DueAt)
	}
	if err == nil && st.Holds > 0 {
		c.out.field("CF", strconv.Itoa(st.Holds))
	}
	c.out.fieldBytes("AB", ab)
	c.out.field("AJ", st.Item.Title)
	if err == nil {
		c.out.field("AQ", st.Item.Location)
		c.out.field("AP", st.Item.Location)
		if st.Item.CallNumber != "" {
			c.out.field("CS", st.Item.CallNumber)
		}
	}
	switch {
	case library.IsCode(err, library.ENOTFOUND):
		c.out.field("AF", c.t("sip2.unknown_item"))
	case err != nil:
		c.out.field("AF", c.failure(err))
	case st.Item.Withdrawn:
		c.out.field("AF", c.reason(&library.Refusal{Reason: library.ReasonItemNotForLoan}))
	}
	c.finish()
}
