package web

import (
	"github.com/carrel-library/carrel/internal/library"
)

// dueSoonDays is how far ahead a due date is also said in words.
const dueSoonDays = 7

// dueWords says when a loan is due in plain words, within a week, or how
// long it is overdue; nil when it is due later than that.
func dueWords(l library.LoanLine) *msg {
	var x msg
	switch {
	case l.OverdueDays > 0:
		x = m("due.overdue", "n", l.OverdueDays)
	case l.DueInDays == 0:
		x = m("due.today")
	case l.DueInDays == 1:
		x = m("due.tomorrow")
	case l.DueInDays <= dueSoonDays:
		x = m("due.in_days", "n", l.DueInDays)
	default:
		return nil
	}
	return &x
}

// reasonMsg says why a loan cannot be renewed, in the patron's terms and
// with the way out where there is one.
func (s *Server) reasonMsg(r *library.Refusal) msg {
	key := "reason." + string(r.Reason)
	if !s.cat.Has(key) {
		key = "reason.other"
	}
	return m(key, "n", r.Limit, "date", r.Date(), "balance", r.Balance, "threshold", r.Threshold,
		"phone", telLink(s.cfg.Phone), "email", mailtoLink(s.cfg.Email))
}

// standingMsg says why the patron cannot borrow or renew at all, and what
// to do. A block's reason is for staff only: the patron is told to ask them.
func (s *Server) standingMsg(r *library.Refusal) msg {
	key := "notice." + string(r.Reason)
	if r.Reason == library.ReasonFines && r.Balance > r.Threshold {
		key = "notice.fines_over"
	}
	if !s.cat.Has(key) {
		key = "notice.other"
	}
	return m(key, "date", r.Date(), "balance", r.Balance, "threshold", r.Threshold,
		"phone", telLink(s.cfg.Phone), "email", mailtoLink(s.cfg.Email))
}
