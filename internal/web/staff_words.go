package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// deskReason says, in staff's terms, why a rule refuses to lend, renew or
// hold: "the patron has 10 items on loan, the limit".
func (s *Server) deskReason(r *library.Refusal) msg {
	if r.Reason == library.ReasonBlocked && r.BlockedReason != "" {
		return m("desk.reason.blocked_why", "reason", r.BlockedReason)
	}
	key := "desk.reason." + string(r.Reason)
	if !s.cat.Has(key) {
		key = "desk.reason.other"
	}
	return m(key, "n", r.Limit, "date", r.Date(), "balance", r.Balance, "threshold", r.Threshold)
}

// statusMsg names a patron's standing.
func statusMsg(st library.Status) msg { return m("desk.status." + string(st)) }

// holdStateMsg says where a hold is, in plain words: "waiting in line: 2nd",
// "ready: pick up by 5 Dec 2026".
func holdStateMsg(h library.Hold, loc *time.Location) msg {
	switch h.State {
	case library.HoldWaiting:
		return m("desk.hold.waiting", "n", h.Position)
	case library.HoldTrapped:
		return m("desk.hold.trapped", "date", library.DateOf(h.PickupBy, loc))
	}
	return m("desk.hold." + string(h.State))
}

// auditActionMsg names an audit log action in words, or returns nil for an
// action the catalogue does not know, which is then shown as it is stored.
func (s *Server) auditActionMsg(action string) *msg {
	key := "audit." + action
	if !s.cat.Has(key) {
		return nil
	}
	x := m(key)
	return &x
}

// parseMoney reads an amount of money as staff type it: "12", "12.5",
// "12.50", "HKD 1,012.50", "$12". It reports false for anything else, a
// negative amount or more than two decimals.
func parseMoney(s string) (library.Money, bool) {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimPrefix(s, "HKD")
	s = strings.TrimPrefix(strings.TrimSpace(s), "HK")
	s = strings.TrimPrefix(strings.TrimSpace(s), "$")
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 || dot && frac == "" && whole == "" {
		return 0, false
	}
	if whole == "" {
		whole = "0"
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
	}
	if len(whole) > 12 {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return library.Money(w*100 + f), true
}

// doneMessages are the things a desk form reports as done on the page it
// returns to (?done=NAME): desk.done.NAME in the catalogue.
var doneMessages = []string{"registered", "already_registered", "unlocked", "blocked", "unblocked", "expiry",
	"card", "edited", "paid", "waived", "already", "hold_placed", "hold_cancelled", "hold_cancelled_next",
	"hold_closed", "item_added", "item_edited", "item_withdrawn"}

// doneMsg returns the message for the page's ?done= parameter, or nil.
func doneMsg(r *http.Request) *msg {
	done := r.URL.Query().Get("done")
	if !slices.Contains(doneMessages, done) {
		return nil
	}
	return &msg{Key: "desk.done." + done}
}
