package web

import (
	"encoding/json"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// maxScanLines is how many answers the running list of a scan page keeps.
const maxScanLines = 40

// scanLine is the answer to one scan at the check-out or check-in desk, as
// facts rather than words, so that the running list can be carried from
// one scan to the next in a hidden field and shown in the page's language.
// The list is only ever shown back to the staff member who sent it.
type scanLine struct {
	Kind      string `json:"k"`           // one of the scan* kinds
	Item      string `json:"i,omitempty"` // item barcode as scanned or stored
	Title     string `json:"t,omitempty"`
	Patron    string `json:"p,omitempty"` // the borrower's barcode
	Date      string `json:"d,omitempty"` // due day, YYYY-MM-DD
	Amount    int64  `json:"a,omitempty"` // fine charged, in cents
	Reason    string `json:"r,omitempty"` // a refusal's reason
	Limit     int    `json:"l,omitempty"`
	Balance   int64  `json:"b,omitempty"`
	Threshold int64  `json:"h,omitempty"`
	Expired   string `json:"e,omitempty"`
	Override  string `json:"o,omitempty"` // an admin's reason for lending despite a refusal
	HoldName  string `json:"hn,omitempty"`
	HoldBar   string `json:"hb,omitempty"`
	HoldBy    string `json:"hd,omitempty"` // pick-up day of a trapped hold
}

// The kinds of scan answer.
const (
	scanLent       = "lent"        // checked out
	scanOverridden = "overridden"  // checked out by an admin despite a refusal
	scanRefused    = "refused"     // not lent, with the reason
	scanNoItem     = "no_item"     // no item has the barcode
	scanNoPatron   = "no_patron"   // the patron's barcode no longer finds them
	scanAlreadyOut = "already_out" // the same form sent twice: lent once
	scanStale      = "stale"       // a form already used (an old page): nothing done
	scanEmpty      = "empty"       // Enter with nothing scanned
	scanReturned   = "returned"    // checked in
	scanNotOnLoan  = "not_on_loan" // check-in of an item that is not out
)

// scanView is a scan answer in words.
type scanView struct {
	Class string // ok, refused, error or hold: the mark and the border
	Msg   msg
	Extra []msg
	Hold  *msg // the item must go to the hold shelf
}

// readScanLines reads the running list a form carried; a list that cannot
// be read is started again rather than refused.
func readScanLines(s string) []scanLine {
	var lines []scanLine
	if s == "" || json.Unmarshal([]byte(s), &lines) != nil {
		return nil
	}
	return lines[:min(len(lines), maxScanLines)]
}

// addScanLine puts a new answer at the top of the list and returns it with
// its encoding, for the next form.
func addScanLine(lines []scanLine, l scanLine) ([]scanLine, string) {
	lines = append([]scanLine{l}, lines...)
	lines = lines[:min(len(lines), maxScanLines)]
	return lines, encodeScanLines(lines)
}

func encodeScanLines(lines []scanLine) string {
	if len(lines) == 0 {
		return ""
	}
	b, err := json.Marshal(lines)
	if err != nil {
		return "" // plain strings and numbers always encode
	}
	return string(b)
}

// dayString writes an instant's day in the library's zone, for a scanLine.
func (s *Server) dayString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return library.DateOf(t, s.cfg.Location()).String()
}

// date reads a day a scanLine carries; a malformed one is no day.
func date(s string) library.Date {
	d, err := library.ParseDate(s)
	if err != nil {
		return library.Date{}
	}
	return d
}

// itemWords names an item: its title and barcode, or the barcode alone.
func itemWords(l scanLine) msg {
	if l.Title == "" {
		return m("desk.scan.item_barcode", "barcode", l.Item)
	}
	return m("desk.scan.item", "title", l.Title, "barcode", l.Item)
}

// scanViews words the running list.
func (s *Server) scanViews(lines []scanLine) []scanView {
	views := make([]scanView, 0, len(lines))
	for _, l := range lines {
		views = append(views, s.scanView(l))
	}
	return views
}

func (s *Server) scanView(l scanLine) scanView {
	item := itemWords(l)
	switch l.Kind {
	case scanLent:
		return scanView{Class: "ok", Msg: m("desk.scan.lent", "item", item, "date", date(l.Date))}
	case scanOverridden:
		return scanView{Class: "ok", Msg: m("desk.scan.lent", "item", item, "date", date(l.Date)),
			Extra: []msg{m("desk.scan.overridden", "reason", s.deskReason(l.refusal()), "note", l.Override)}}
	case scanRefused:
		return scanView{Class: "refused", Msg: m("desk.scan.refused", "item", item, "reason", s.deskReason(l.refusal()))}
	case scanNoItem:
		return scanView{Class: "error", Msg: m("desk.scan.no_item", "barcode", l.Item)}
	case scanNoPatron:
		return scanView{Class: "error", Msg: m("desk.scan.no_patron", "barcode", l.Patron)}
	case scanAlreadyOut:
		return scanView{Class: "ok", Msg: m("desk.scan.already_out", "item", item, "date", date(l.Date))}
	case scanStale:
		return scanView{Class: "error", Msg: m("desk.scan.stale", "item", item)}
	case scanReturned:
		v := scanView{Class: "ok", Msg: m("desk.scan.returned", "item", item)}
		if l.Amount > 0 {
			v.Extra = append(v.Extra, m("desk.scan.fine_charged", "amount", library.Money(l.Amount), "barcode", l.Patron))
		}
		if l.HoldBar != "" {
			v.Class = "hold"
			x := m("desk.scan.trapped", "name", l.HoldName, "barcode", l.HoldBar, "date", date(l.HoldBy))
			v.Hold = &x
		}
		return v
	case scanNotOnLoan:
		v := scanView{Class: "error", Msg: m("desk.scan.not_on_loan", "item", item)}
		if l.HoldBar != "" {
			v.Class = "hold"
			x := m("desk.scan.on_shelf", "name", l.HoldName, "barcode", l.HoldBar, "date", date(l.HoldBy))
			v.Hold = &x
		}
		return v
	}
	return scanView{Class: "error", Msg: m("desk.scan.empty")}
}

// refusal rebuilds the refusal a line records.
func (l scanLine) refusal() *library.Refusal {
	return &library.Refusal{Reason: library.Reason(l.Reason), Limit: l.Limit, Balance: library.Money(l.Balance),
		Threshold: library.Money(l.Threshold), ExpiredOn: date(l.Expired)}
}

// withRefusal records a refusal's facts in the line.
func (l scanLine) withRefusal(r *library.Refusal) scanLine {
	l.Reason, l.Limit, l.Balance, l.Threshold, l.Expired = string(r.Reason), r.Limit, int64(r.Balance), int64(r.Threshold), r.ExpiredOn.String()
	return l
}
