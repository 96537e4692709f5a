package web

import (
	"net/http"
	"strconv"

	"github.com/carrel-library/carrel/internal/library"
)

// accountPage is the data of the borrowing record (R7).
type accountPage struct {
	base
	Rec      library.Record
	Category msg
	Loans    []loanRow // the loans on the page shown
	Count    string    // how many loans the patron has, "1,000"
	Pager    *pager    // nil when every loan fits on one page
	CanRenew bool      // the patron may renew at all
	// AnyRenewable is true when a loan on the page would gain from a
	// renewal, or other pages may hold one: otherwise the page says none
	// can be renewed rather than offering buttons that renew nothing.
	AnyRenewable bool
	Standing     *alert // why the patron cannot borrow or renew, and the way out
	Expiry       *msg   // the account expires soon
	Flash        *msg   // a change just made, e.g. a new PIN saved
	Results      *renewResults
	Errors       formErrors
}

// loanRow is one current loan as the table shows it.
type loanRow struct {
	ID           int64
	Title        string
	Author       string
	CallNumber   string
	ItemBarcode  string
	Borrowed     library.Date
	Due          library.Date
	DueWords     *msg // "due tomorrow", "4 days overdue"; nil when due later
	Overdue      bool
	RenewalsLeft int
	Fine         library.Money
	CanRenew     bool
	Refusal      *msg // why this loan cannot be renewed
}

// account shows the signed-in patron's borrowing record.
func (s *Server) account(w http.ResponseWriter, r *http.Request, v *visit) error {
	rec, err := s.record(r, v)
	if err != nil {
		return err
	}
	p := s.newAccountPage(r, v, rec)
	if r.URL.Query().Get("done") == "pin" {
		p.Flash = &msg{Key: "account.pin_changed"}
	}
	return s.render(w, r, http.StatusOK, "account", p)
}

// record reads the signed-in patron's borrowing record with the page of
// loans the request asks for (?page=N, or the form's page on a renewal).
func (s *Server) record(r *http.Request, v *visit) (library.Record, error) {
	return s.svc.BorrowingRecordPage(r.Context(), v.patron.ID, library.LoanPage{Page: askedPage(r), Size: loansPerPage})
}

// newAccountPage turns the domain's record into what the page shows: the
// totals over every loan, and the rows of the page of loans it holds.
func (s *Server) newAccountPage(r *http.Request, v *visit, rec library.Record) *accountPage {
	p := &accountPage{
		base:     s.signedInBase(r, v, "record", m("title.account")), // "record" marks My Account in the navigation
		Rec:      rec,
		Category: s.categoryName(rec.Patron.Category),
		CanRenew: rec.BorrowRefusal == nil,
		Loans:    make([]loanRow, 0, len(rec.Loans)),
		Count:    grouped(rec.LoanCount),
		Pager:    recordPager(rec, accountPageURL, "pager.account_label"),
	}
	if rf := rec.BorrowRefusal; rf != nil {
		p.Standing = &alert{m("notice.cannot_borrow"), s.standingMsg(rf)}
		if told := s.patronNotice(r, rf, "block.notice"); told != nil {
			p.Standing.Body = *told // what staff chose to tell the patron, and the way out
		}
	}
	if rec.ExpiresSoon {
		p.Expiry = &msg{Key: "notice.expires_soon", Args: []any{"date", rec.Patron.ExpiresOn}}
	}
	loc := s.cfg.Location()
	for _, l := range rec.Loans {
		row := loanRow{
			ID:           l.ID,
			Title:        l.Item.Title,
			Author:       l.Item.Author,
			CallNumber:   l.Item.CallNumber,
			ItemBarcode:  l.Item.Barcode,
			Borrowed:     library.DateOf(l.CheckedOutAt, loc),
			Due:          library.DateOf(l.DueAt, loc),
			DueWords:     dueWords(l),
			Overdue:      l.OverdueDays > 0,
			RenewalsLeft: l.RenewalsLeft,
			Fine:         l.FineAccruing,
			CanRenew:     l.RenewRefusal == nil,
		}
		// When the patron cannot renew at all, the notice at the top says
		// why once, rather than on every row.
		if l.RenewRefusal != nil && rec.BorrowRefusal == nil {
			reason := s.reasonMsg(l.RenewRefusal)
			row.Refusal = &reason
		}
		p.AnyRenewable = p.AnyRenewable || row.CanRenew
		p.Loans = append(p.Loans, row)
	}
	p.AnyRenewable = p.AnyRenewable || p.Pager != nil
	return p
}

// accountPageURL is the address of page n of the patron's loans; the
// fragment takes the patron to the list rather than the top of the page.
func accountPageURL(n int) string {
	if n == 1 {
		return "/account#loans"
	}
	return "/account?page=" + strconv.Itoa(n) + "#loans"
}

// categoryName is the patron category in the patron's language; a category
// the catalogue does not know is shown by its configured name.
func (s *Server) categoryName(name string) msg {
	if key := "category." + name; s.cat.Has(key) {
		return m(key)
	}
	return m("category.other", "name", name)
}
