package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// checkoutPage is the data of the check-out desk: the patron being served,
// the scan field, and the running list of answers, newest first.
type checkoutPage struct {
	base
	AtDesk   *checkoutPatron
	Lines    []scanView
	Encoded  string // the running list, carried to the next scan
	Request  string // this form's request token
	Override *overrideForm
	Errors   formErrors
}

// checkoutPatron is the patron at the desk, as the check-out shows them.
type checkoutPatron struct {
	ID       int64
	Name     string
	Barcode  string
	Category msg
	Status   msg
	Class    string
	Loans    int
	MaxLoans int
	Balance  library.Money
	Standing *msg
	Notice   *msg     // what a blocked patron is told of the block
	Ready    []string // titles waiting on the hold shelf for the patron
}

// overrideForm lets an admin lend despite the refusal on the newest line.
type overrideForm struct {
	Item    string
	Request string
	Note    string
}

// staffCheckoutPage shows the check-out desk: first the patron's barcode
// (a GET: nothing changes), then the item scan for that patron.
func (s *Server) staffCheckoutPage(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	patron := library.NormalizeBarcode(r.URL.Query().Get("patron"))
	return s.renderCheckout(w, r, v, http.StatusOK, patron, nil, nil)
}

// staffCheckout lends the scanned item to the patron at the desk, or says
// exactly why not, in a new line at the top of the list.
func (s *Server) staffCheckout(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	patron := library.NormalizeBarcode(r.PostForm.Get("patron"))
	if patron == "" {
		return redirect(w, r, "/staff/checkout")
	}
	lines := readScanLines(r.PostForm.Get("lines"))
	req := library.CheckoutRequest{PatronBarcode: patron, ItemBarcode: library.NormalizeBarcode(r.PostForm.Get("item")),
		RequestToken: r.PostForm.Get("request")}
	line, err := s.checkoutLine(r.Context(), v, req)
	if err != nil {
		return err
	}
	if line.Kind == scanNoItem {
		// The card of the next patron, scanned straight after the last book:
		// start with them.
		if ok, err := s.svc.PatronExists(r.Context(), req.ItemBarcode); err == nil && ok && req.ItemBarcode != patron {
			return redirect(w, r, "/staff/checkout?patron="+url.QueryEscape(req.ItemBarcode))
		}
	}
	lines, _ = addScanLine(lines, line)
	return s.renderCheckout(w, r, v, http.StatusOK, patron, lines, nil)
}

// staffOverride lends despite a refusal about the patron, with the
// admin's reason, which the audit log records.
func (s *Server) staffOverride(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	patron := library.NormalizeBarcode(r.PostForm.Get("patron"))
	if patron == "" {
		return redirect(w, r, "/staff/checkout")
	}
	lines := readScanLines(r.PostForm.Get("lines"))
	req := library.CheckoutRequest{PatronBarcode: patron, ItemBarcode: library.NormalizeBarcode(r.PostForm.Get("item")),
		Override: strings.TrimSpace(r.PostForm.Get("override")), RequestToken: r.PostForm.Get("request")}
	if req.Override == "" || strings.ContainsAny(req.Override, "\r\n") || len(req.Override) > 500 {
		return s.renderCheckout(w, r, v, http.StatusUnprocessableEntity, patron, lines, func(p *checkoutPage) {
			if p.Override != nil {
				p.Errors = formErrors{{"override", m("desk.override.reason_missing")}}
				p.Override.Note = req.Override
			}
		})
	}
	line, err := s.checkoutLine(r.Context(), v, req)
	if err != nil {
		return err
	}
	lines, _ = addScanLine(lines, line)
	return s.renderCheckout(w, r, v, http.StatusOK, patron, lines, nil)
}

// checkoutLine carries out one check-out and returns its answer. Only
// Carrel's own faults (and a desk account's override) are errors.
func (s *Server) checkoutLine(ctx context.Context, v *staffVisit, req library.CheckoutRequest) (scanLine, error) {
	line := scanLine{Item: req.ItemBarcode, Patron: req.PatronBarcode}
	if req.ItemBarcode == "" {
		line.Kind = scanEmpty
		return line, nil
	}
	loan, err := s.svc.DeskCheckout(ctx, v.by, req)
	if err == nil {
		line.Kind, line.Title, line.Item, line.Date = scanLent, loan.Item.Title, loan.Item.Barcode, s.dayString(loan.DueAt)
		if req.Override != "" {
			line.Kind, line.Override = scanOverridden, req.Override
		}
		return line, nil
	}
	st, serr := s.svc.ItemStatusByBarcode(ctx, req.ItemBarcode)
	if serr != nil && !library.IsCode(serr, library.ENOTFOUND) {
		return line, serr
	}
	line.Title = st.Item.Title
	rf, refused := library.AsRefusal(err)
	switch {
	case errors.Is(err, library.ErrAlreadyDone) && st.OnLoan() && st.PatronBarcode == req.PatronBarcode:
		// The form sent twice: the first lent the item.
		line.Kind, line.Date = scanAlreadyOut, s.dayString(st.Loan.DueAt)
	case errors.Is(err, library.ErrAlreadyDone):
		// A form already used for another scan: an old page, shown again.
		line.Kind = scanStale
	case refused:
		line = line.withRefusal(rf)
		line.Kind = scanRefused
	case library.IsCode(err, library.ENOTFOUND) && serr != nil:
		line.Kind = scanNoItem
	case library.IsCode(err, library.ENOTFOUND):
		line.Kind = scanNoPatron
	default:
		return line, err
	}
	return line, nil
}

// renderCheckout shows the check-out desk for the patron with the given
// barcode (none: the patron is scanned first), with the running list.
func (s *Server) renderCheckout(w http.ResponseWriter, r *http.Request, v *staffVisit, status int, patron string, lines []scanLine, edit func(*checkoutPage)) error {
	p := &checkoutPage{base: s.staffBase(r, v, "staff_checkout", m("desk.title.checkout")), Request: library.NewRequestToken()}
	p.DeskScript = true
	if patron != "" {
		rec, err := s.svc.RecordByBarcode(r.Context(), patron)
		switch {
		case library.IsCode(err, library.ENOTFOUND):
			kind := scanNoPatron
			if len(lines) == 0 || lines[0].Kind != kind {
				lines, _ = addScanLine(lines, scanLine{Kind: kind, Patron: patron})
			}
		case err != nil:
			return err
		default:
			p.AtDesk = s.checkoutPatron(r, rec)
		}
	}
	p.Lines, p.Encoded = s.scanViews(lines), encodeScanLines(lines)
	if v.admin() && p.AtDesk != nil && len(lines) > 0 && lines[0].Kind == scanRefused && library.Overridable(library.Reason(lines[0].Reason)) {
		p.Override = &overrideForm{Item: lines[0].Item, Request: library.NewRequestToken()}
	}
	if edit != nil {
		edit(p)
	}
	return s.render(w, r, status, "staff_checkout", p)
}

// checkoutPatron sums up the patron for the check-out desk.
func (s *Server) checkoutPatron(r *http.Request, rec library.Record) *checkoutPatron {
	cp := &checkoutPatron{ID: rec.Patron.ID, Name: rec.Patron.Name, Barcode: rec.Patron.Barcode,
		Category: s.categoryName(rec.Patron.Category), Status: statusMsg(rec.Status), Class: string(rec.Status),
		Loans: rec.LoanCount, MaxLoans: rec.Category.MaxLoans, Balance: rec.FineBalance}
	if rf := rec.BorrowRefusal; rf != nil {
		x := s.deskReason(rf)
		cp.Standing = &x
		cp.Notice = s.deskNotice(r, rec.Patron)
	}
	for _, h := range rec.Holds {
		if h.State == library.HoldTrapped {
			cp.Ready = append(cp.Ready, h.Item.Title)
		}
	}
	return cp
}
