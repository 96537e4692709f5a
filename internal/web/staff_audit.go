package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// auditPage is the data of the audit log page.
type auditPage struct {
	base
	Filter  auditForm
	Errors  formErrors
	Rows    []auditRow
	Next    string // the link to older entries
	First   string // the link back to the newest, when paging
	Actions []string
}

// auditPageSize is how many entries a page of the audit log shows.
const auditPageSize = 50

// auditForm is the audit log's filter form, as typed.
type auditForm struct {
	Patron, Actor, Action, From, Until string
}

// auditActions are offered as suggestions in the action filter.
var auditActions = []string{"fine.", "hold.", "item.", "loan.", "loan.checkout.override", "patron.", "patron.block",
	"patron.register", "pin.", "pin.reset", "signin.", "staff."}

// staffAudit shows the audit log, newest first, filtered by patron barcode,
// actor, action and dates, a page at a time.
func (s *Server) staffAudit(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	q := r.URL.Query()
	in := auditForm{Patron: strings.TrimSpace(q.Get("patron")), Actor: strings.TrimSpace(q.Get("actor")),
		Action: strings.TrimSpace(q.Get("action")), From: strings.TrimSpace(q.Get("from")), Until: strings.TrimSpace(q.Get("until"))}
	p := &auditPage{base: s.staffBase(r, v, "staff_audit", m("desk.title.audit")), Actions: auditActions, Filter: in}
	f := library.AuditFilter{Action: in.Action, Actor: auditActor(in.Actor), Limit: auditPageSize}
	loc := s.cfg.Location()
	if d, err := library.ParseDate(in.From); err != nil {
		p.Errors = append(p.Errors, fieldError{"from", m("desk.audit.bad_date")})
	} else if !d.IsZero() {
		f.From = d.Time(loc)
	}
	if d, err := library.ParseDate(in.Until); err != nil {
		p.Errors = append(p.Errors, fieldError{"until", m("desk.audit.bad_date")})
	} else if !d.IsZero() {
		f.Until = d.AddDays(1).Time(loc) // the whole of the last day
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.From.Before(f.Until) {
		p.Errors = append(p.Errors, fieldError{"until", m("desk.audit.bad_period")})
	}
	if in.Patron != "" {
		pt, err := s.svc.PatronByBarcode(r.Context(), v.by, in.Patron)
		switch {
		case library.IsCode(err, library.ENOTFOUND):
			p.Errors = append(p.Errors, fieldError{"patron", m("desk.scan.no_patron", "barcode", library.NormalizeBarcode(in.Patron))})
		case err != nil:
			return err
		default:
			f.PatronID = pt.ID
		}
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "staff_audit", p)
	}
	if before, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && before > 0 {
		f.BeforeID = before
	}
	page, err := s.svc.SearchAudit(r.Context(), v.by, f)
	if err != nil {
		return err
	}
	p.Rows = s.auditRows(page.Entries)
	filters := url.Values{}
	for k, val := range map[string]string{"patron": in.Patron, "actor": in.Actor, "action": in.Action, "from": in.From, "until": in.Until} {
		if val != "" {
			filters.Set(k, val)
		}
	}
	if f.BeforeID != 0 {
		p.First = "/staff/audit?" + filters.Encode()
	}
	if page.Next != 0 {
		filters.Set("before", strconv.FormatInt(page.Next, 10))
		p.Next = "/staff/audit?" + filters.Encode()
	}
	return s.render(w, r, http.StatusOK, "staff_audit", p)
}

// auditActor turns the actor filter as typed into the actor as logged: a
// staff username alone stands for "staff:USERNAME".
func auditActor(s string) string {
	switch {
	case s == "", strings.Contains(s, ":"):
		return s
	case s == "patron", s == "cli", s == "system", s == "staff", s == "import":
		return s
	}
	return "staff:" + library.NormalizeUsername(s)
}
