package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// cashupPage is the data of the cash-up: one desk account's takings for a
// day, or every account's, printable for the supervisor who reconciles
// the till.
type cashupPage struct {
	base
	Day     library.Date
	All     bool // the cash-up of all desks
	Who     msg  // whose cash-up, in words
	Form    cashupForm
	Errors  formErrors
	Shown   bool // a cash-up was read (no error in the form)
	Takings takingsRow
	// Accounts is each account's takings, for the cash-up of all desks.
	Accounts []takingsRow
	Payments []takenRow
	Waivers  []takenRow
	// Unrecorded is set when a payment from before Carrel kept methods
	// is on the day.
	Unrecorded        bool
	Prev, Next, Today string // the same cash-up on other days
	Printed           string // when the page was made, for the printout
}

// cashupForm is the cash-up's form, as typed.
type cashupForm struct {
	Day, Staff string
}

// takingsRow is the takings of an account, or of all, as the page shows them.
type takingsRow struct {
	Who      msg
	Link     string // the account's own cash-up, on the page of all desks
	Methods  []methodRow
	Count    int
	Total    library.Money
	Cash     library.Money
	Waivers  int
	Waived   library.Money
	ByMethod map[string]library.Money // each method's total, by its name
}

// methodRow is one method's payments.
type methodRow struct {
	Method msg
	Class  string
	Count  int
	Total  library.Money
}

// takenRow is one payment or waiver of the day.
type takenRow struct {
	ID       int64
	At       time.Time
	PatronID int64
	Barcode  string
	Receipt  string
	Method   *msg
	Amount   library.Money
	By       msg
	Note     string
}

// staffCashUp shows the cash-up of a desk account for a day
// (?day=YYYY-MM-DD, today by default, in the library's time zone) and
// the links to the days before and after. A desk account sees its own;
// an admin sees all desks, or one account's with ?staff=USERNAME (or
// sip2:LOGIN for a kiosk). The domain refuses anyone else's to a desk
// account.
func (s *Server) staffCashUp(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	q := r.URL.Query()
	in := cashupForm{Day: strings.TrimSpace(q.Get("day")), Staff: strings.TrimSpace(q.Get("staff"))}
	p := &cashupPage{base: s.staffBase(r, v, "staff_cashup", m("desk.title.cashup")), Form: in}
	p.DeskScript = true
	day, err := library.ParseDate(in.Day)
	if err != nil {
		p.Errors = formErrors{{"day", m("cashup.bad_day")}}
		return s.render(w, r, http.StatusUnprocessableEntity, "staff_cashup", p)
	}
	account := v.by.Name
	if in.Staff != "" {
		account = auditActor(in.Staff)
	} else if v.admin() {
		account = "" // an admin's cash-up starts with all desks
	}
	c, err := s.svc.CashUpOf(r.Context(), v.by, day, account)
	if err != nil {
		return err
	}
	p.Shown, p.Day, p.All = true, c.Day, c.Account == ""
	p.Who = accountMsg(c.Account)
	p.Takings = s.takingsRow(c.Takings, "")
	for _, t := range c.Accounts {
		p.Accounts = append(p.Accounts, s.takingsRow(t, cashupPath(c.Day, t.Account, true)))
	}
	for _, l := range c.Payments {
		p.Payments = append(p.Payments, takenLine(l))
		p.Unrecorded = p.Unrecorded || l.Method == library.PayUnrecorded
	}
	for _, l := range c.Waivers {
		p.Waivers = append(p.Waivers, takenLine(l))
	}
	p.Prev = cashupPath(c.Day.AddDays(-1), in.Staff, false)
	p.Next = cashupPath(c.Day.AddDays(1), in.Staff, false)
	p.Today = cashupPath(library.Date{}, in.Staff, false)
	p.Printed = when(s.printer(r), s.svc.Now(), s.cfg.Location())
	return s.render(w, r, http.StatusOK, "staff_cashup", p)
}

// cashupPath is the address of a cash-up: of the day (today for the zero
// Date), and of the account, given as typed in the form, or, when actor is
// set, as the audit log names it.
func cashupPath(day library.Date, account string, actor bool) string {
	v := url.Values{}
	if !day.IsZero() {
		v.Set("day", day.String())
	}
	if actor {
		// The form takes a staff account by its username alone.
		account = strings.TrimPrefix(account, "staff:")
		if account == "" {
			return ""
		}
	}
	if account != "" {
		v.Set("staff", account)
	}
	if len(v) == 0 {
		return "/staff/cashup"
	}
	return "/staff/cashup?" + v.Encode()
}

// accountMsg names an account as the audit log names it, in words: a
// staff account by its username, a kiosk by its login, no account (a
// payment from before Carrel kept them) as not recorded.
func accountMsg(actor string) msg {
	switch kind, name, _ := strings.Cut(actor, ":"); {
	case actor == "":
		return m("cashup.nobody")
	case kind == "staff":
		return m("cashup.staff", "name", name)
	case kind == "sip2":
		return m("cashup.kiosk", "login", name)
	}
	return m("cashup.staff", "name", actor)
}

// takingsRow turns the domain's takings into what the page shows.
func (s *Server) takingsRow(t library.Takings, link string) takingsRow {
	row := takingsRow{Who: accountMsg(t.Account), Link: link, Count: t.Count, Total: t.Total, Cash: t.Cash,
		Waivers: t.Waivers, Waived: t.Waived, ByMethod: map[string]library.Money{}}
	for _, mt := range t.ByMethod {
		row.Methods = append(row.Methods, methodRow{Method: methodMsg(mt.Method), Class: string(mt.Method), Count: mt.Count, Total: mt.Total})
		row.ByMethod[string(mt.Method)] = mt.Total
	}
	return row
}

// takenLine turns a payment or waiver of the day into a row.
func takenLine(l library.LedgerLine) takenRow {
	row := takenRow{ID: l.ID, At: l.CreatedAt, PatronID: l.PatronID, Barcode: l.PatronBarcode, Receipt: l.Receipt,
		Amount: l.Amount, By: accountMsg(l.TakenBy), Note: l.Note}
	if l.Method != "" {
		x := methodMsg(l.Method)
		row.Method = &x
	}
	return row
}
