package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// patronPage is the data of the desk's page of one patron.
type patronPage struct {
	base
	F           library.PatronFile
	P           library.Patron
	Category    msg
	Status      msg
	StatusClass string
	Standing    *msg // why the patron cannot borrow, in staff's terms
	LockedUntil string
	Loans       []deskLoanRow // the loans on the page shown
	LoanCount   int           // how many loans the patron has
	Pager       *pager        // nil when every loan fits on one page
	CanRenew    bool
	// AnyRenewable is true when a loan on the page would gain from a
	// renewal, or other pages may hold one.
	AnyRenewable bool
	Fines        []fineRow
	JustPaid     *fineRow // the payment just recorded, whose receipt to offer
	Holds        []holdRow
	Audit        []auditRow
	Flash        *msg
	Errors       formErrors
	Results      *renewResults
	Tokens       patronTokens
	Form         map[string]string // what was typed, shown again after a form error
	Expiry       string            // the expiry date as the date field wants it
	ExpiryHint   msg               // how to type a date
	RegExpires   string            // the expiry date registration would give, in the date field
	RegHint      msg               // where that date comes from
	PIN          msg               // what kind of PIN the patron has: never the PIN
	Block        blockForm         // the choices of the block form
	Notice       *msg              // what the blocked patron is told, for staff
}

// patronTokens are the request tokens of the patron page's forms that must
// act once however often they are sent: one per form, so that an action
// done from a stale page does not stop a different one.
type patronTokens struct {
	Renew, Reset, Pay, Waive string
}

// deskLoanRow is one current loan on the desk's patron page.
type deskLoanRow struct {
	ID           int64
	ItemID       int64
	Title        string
	Author       string
	ItemBarcode  string
	CallNumber   string
	Borrowed     library.Date
	Due          library.Date
	DueWords     *msg
	Overdue      bool
	Renewals     int
	RenewalsLeft int
	Fine         library.Money
	CanRenew     bool
	Refusal      *msg
}

// fineRow is one line of the fine ledger.
type fineRow struct {
	ID     int64
	At     time.Time
	Kind   msg
	Class  string
	Amount library.Money
	Note   string
	// Method and Receipt say how a payment was paid and its receipt
	// number; nil and "" for charges and waivers.
	Method  *msg
	Receipt string
}

// holdRow is one hold of a patron or of an item.
type holdRow struct {
	ID          int64
	ItemID      int64
	Title       string
	ItemBarcode string
	Patron      string // the patron's name, on an item's page
	PatronBar   string
	Placed      time.Time
	State       msg
	Class       string
	Open        bool
	Overdue     bool // trapped and past its pickup day
}

// auditRow is one entry of the audit log as a table shows it.
type auditRow struct {
	ID       int64
	At       time.Time
	Actor    string
	Action   string
	Words    *msg
	Detail   string
	Addr     string
	PatronID int64
	// PatronBarcode names the patron in the desk's audit log; empty on
	// the patron's own page, where it would say nothing new.
	PatronBarcode string
}

// staffPatron shows a patron's page.
func (s *Server) staffPatron(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderPatron(w, r, v, id, http.StatusOK, func(p *patronPage) {
		p.Flash = doneMsg(r)
		p.JustPaid = justPaid(r, p.Fines)
	})
}

// renderPatron shows the patron's page as it is now, with edit applied.
func (s *Server) renderPatron(w http.ResponseWriter, r *http.Request, v *staffVisit, id int64, status int, edit func(*patronPage)) error {
	f, err := s.svc.PatronFilePage(r.Context(), v.by, id, library.LoanPage{Page: askedPage(r), Size: loansPerPage})
	if err != nil {
		return err
	}
	p := s.newPatronPage(r, v, f)
	if edit != nil {
		edit(p)
	}
	return s.render(w, r, status, "staff_patron", p)
}

// newPatronPage turns the domain's patron file into what the page shows:
// of the loans, only the page the request asks for (?page=N).
func (s *Server) newPatronPage(r *http.Request, v *staffVisit, f library.PatronFile) *patronPage {
	rec := f.Record
	loc := s.cfg.Location()
	pageURL := func(n int) string {
		if n == 1 {
			return patronPath(rec.Patron.ID) + "#loans"
		}
		return patronPath(rec.Patron.ID) + "?page=" + strconv.Itoa(n) + "#loans"
	}
	p := &patronPage{
		LoanCount:   rec.LoanCount,
		Pager:       recordPager(rec, pageURL, "pager.desk_label"),
		base:        s.staffBase(r, v, "staff_patron", m("desk.title.patron", "name", rec.Patron.Name)),
		F:           f,
		P:           rec.Patron,
		Category:    s.categoryName(rec.Patron.Category),
		Status:      statusMsg(rec.Status),
		StatusClass: string(rec.Status),
		CanRenew:    rec.BorrowRefusal == nil,
		Form:        map[string]string{},
		Expiry:      s.cfg.FormatDateInput(rec.Patron.ExpiresOn),
		ExpiryHint:  m("desk.expiry.hint", "format", s.cfg.DateFormat, "example", s.dateExample()),
		Tokens: patronTokens{Renew: library.NewRequestToken(), Reset: library.NewRequestToken(),
			Pay: library.NewRequestToken(), Waive: library.NewRequestToken()},
	}
	p.DeskScript = true
	p.Block = s.newBlockForm(r)
	p.Notice = s.deskNotice(r, rec.Patron)
	if !rec.Patron.Registered() {
		// Filled in: the expiry date the college's records gave, while it
		// is ahead, else the category's default, which an empty field gets.
		today := s.cfg.Today(s.svc.Now())
		def := s.cfg.DefaultExpiry(rec.Patron.Category, today)
		fill := def
		if e := rec.Patron.ExpiresOn; !e.IsZero() && !e.Before(today) {
			fill = e
		}
		p.RegExpires = s.cfg.FormatDateInput(fill)
		p.RegHint = m("desk.register.expiry_hint_none", "format", s.cfg.DateFormat, "example", s.dateExample())
		if !def.IsZero() {
			p.RegHint = m("desk.register.expiry_hint", "format", s.cfg.DateFormat, "example", s.dateExample(),
				"category", s.categoryName(rec.Patron.Category), "default", s.cfg.FormatDateInput(def))
		}
	}
	p.PIN = m("desk.pin." + string(rec.Patron.PIN.Kind))
	if !rec.Patron.Registered() {
		p.PIN = m("desk.pin.none_yet")
	}
	if rf := rec.BorrowRefusal; rf != nil {
		x := s.deskReason(rf)
		p.Standing = &x
	}
	if !f.LockedUntil.IsZero() {
		p.LockedUntil = f.LockedUntil.In(loc).Format("15:04")
	}
	p.Loans = make([]deskLoanRow, 0, len(rec.Loans))
	for _, l := range rec.Loans {
		row := deskLoanRow{
			ID: l.ID, ItemID: l.Item.ID, Title: l.Item.Title, Author: l.Item.Author, ItemBarcode: l.Item.Barcode,
			CallNumber: l.Item.CallNumber, Borrowed: library.DateOf(l.CheckedOutAt, loc), Due: library.DateOf(l.DueAt, loc),
			DueWords: dueWords(l), Overdue: l.OverdueDays > 0, Renewals: l.Renewals, RenewalsLeft: l.RenewalsLeft,
			Fine: l.FineAccruing, CanRenew: l.RenewRefusal == nil,
		}
		if l.RenewRefusal != nil && rec.BorrowRefusal == nil {
			x := s.deskReason(l.RenewRefusal)
			row.Refusal = &x
		}
		p.AnyRenewable = p.AnyRenewable || row.CanRenew
		p.Loans = append(p.Loans, row)
	}
	p.AnyRenewable = p.AnyRenewable || p.Pager != nil
	for _, e := range f.Fines {
		row := fineRow{ID: e.ID, At: e.CreatedAt, Kind: m("desk.fine." + string(e.Kind)), Class: string(e.Kind), Amount: e.Amount, Note: e.Note, Receipt: e.Receipt}
		if e.Method != "" {
			x := methodMsg(e.Method)
			row.Method = &x
		}
		p.Fines = append(p.Fines, row)
	}
	now := s.svc.Now()
	for _, h := range rec.Holds {
		p.Holds = append(p.Holds, s.holdRow(h, now))
	}
	p.Audit = s.auditRows(f.Audit)
	return p
}

// holdRow describes a hold for a table.
func (s *Server) holdRow(h library.Hold, now time.Time) holdRow {
	return holdRow{ID: h.ID, ItemID: h.Item.ID, Title: h.Item.Title, ItemBarcode: h.Item.Barcode,
		Patron: h.PatronName, PatronBar: h.PatronBarcode, Placed: h.PlacedAt,
		State: holdStateMsg(h, s.cfg.Location()), Class: string(h.State), Open: h.Open(),
		Overdue: h.State == library.HoldTrapped && !now.Before(h.PickupBy)}
}

// auditRows describes audit entries for a table.
func (s *Server) auditRows(entries []library.AuditEntry) []auditRow {
	rows := make([]auditRow, 0, len(entries))
	for _, e := range entries {
		rows = append(rows, auditRow{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Words: s.auditActionMsg(e.Action),
			Detail: e.Detail, Addr: e.Addr, PatronID: e.PatronID, PatronBarcode: e.PatronBarcode})
	}
	return rows
}

// slipPage is the data of the printable slip with a PIN staff give out:
// the random first PIN of a registration, or a temporary PIN after a
// reset. The PIN is in this answer only: nowhere stored, logged or linked.
type slipPage struct {
	base
	Holder     library.Patron // the patron the slip is for
	Kind       string         // "register" or "reset"
	PIN        string
	Valid      string // until when, day and time
	AccountURL string
	Already    bool   // the form was sent twice: no PIN to show
	Token      string // a fresh token, to reset again from here
}

// slip renders the PIN slip.
func (s *Server) slip(w http.ResponseWriter, r *http.Request, v *staffVisit, p *slipPage, expires time.Time) error {
	title := m("desk.title.slip_" + p.Kind)
	p.base = s.staffBase(r, v, "staff_slip", title)
	p.DeskScript = true
	p.Token = library.NewRequestToken()
	if !expires.IsZero() {
		p.Valid = when(s.printer(r), expires, s.cfg.Location())
	}
	scheme := "http"
	if s.tls {
		scheme = "https"
	}
	p.AccountURL = scheme + "://" + r.Host + loginPath
	status := http.StatusOK
	if p.Already {
		status = http.StatusConflict
	}
	return s.render(w, r, status, "staff_slip", p)
}
