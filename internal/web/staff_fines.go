package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

// payFields are the fields of the payment form, shown again after a
// problem with one of them.
var payFields = []string{"pay_amount", "pay_method", "pay_receipt", "pay_note"}

// staffPayment records a payment towards the patron's fines: its amount,
// how it was paid, and the receipt number of the till's or terminal's
// slip or the online reference (Carrel gives a cash payment without one a
// number of its own). The request token records it once however often the
// form is sent; a receipt number already in the patron's ledger records
// nothing and says when it was recorded. Once recorded, the patron's page
// offers the payment's receipt to print.
func (s *Server) staffPayment(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	fail := func(status int, field string, x msg) error {
		return s.patronFormError(w, r, v, id, status, field, x, payFields...)
	}
	amount, ok := parseMoney(r.PostForm.Get("pay_amount"))
	if !ok || amount <= 0 {
		return fail(http.StatusUnprocessableEntity, "pay_amount", m("desk.fine.amount_bad"))
	}
	method, err := library.ParsePaymentMethod(r.PostForm.Get("pay_method"))
	if err != nil {
		return fail(http.StatusUnprocessableEntity, "pay_method", m("desk.pay.method_missing"))
	}
	note := strings.TrimSpace(r.PostForm.Get("pay_note"))
	if strings.ContainsAny(note, "\r\n") || len(note) > 500 {
		return fail(http.StatusUnprocessableEntity, "pay_note", m("desk.fine.note_bad"))
	}
	paid, err := s.svc.SettleFine(r.Context(), v.by, library.FineRequest{PatronID: id, Kind: library.FinePayment, Amount: amount,
		Method: method, Receipt: r.PostForm.Get("pay_receipt"), Note: note, RequestToken: r.PostForm.Get("request")})
	taken, isTaken := library.AsReceiptTaken(err)
	rf, refused := library.AsRefusal(err)
	switch {
	case errors.Is(err, library.ErrAlreadyDone):
		return patronDone(w, r, id, "already")
	case refused:
		return fail(http.StatusUnprocessableEntity, "pay_amount", s.deskReason(rf))
	case isTaken:
		return fail(http.StatusConflict, "pay_receipt", s.receiptRecorded(taken.Earlier))
	case errors.Is(err, library.ErrReceiptMissing):
		return fail(http.StatusUnprocessableEntity, "pay_receipt", m("desk.pay.receipt_missing"))
	case errors.Is(err, library.ErrReceiptBad):
		return fail(http.StatusUnprocessableEntity, "pay_receipt", m("desk.pay.receipt_bad"))
	case errors.Is(err, library.ErrReceiptReserved):
		return fail(http.StatusUnprocessableEntity, "pay_receipt", m("desk.pay.receipt_reserved"))
	case err != nil:
		return err
	case paid.AlreadyRecorded:
		return fail(http.StatusConflict, "pay_receipt", s.receiptRecorded(paid.Entry))
	}
	return redirect(w, r, patronPath(id)+"?done=paid&payment="+strconv.FormatInt(paid.Entry.ID, 10))
}

// receiptRecorded says that a receipt number is in the patron's ledger
// already, and for what: "Receipt R-123 was already recorded for this
// patron on 4 Dec 2026 at 14:05: HKD 20.00 by card."
func (s *Server) receiptRecorded(e library.FineEntry) msg {
	loc := s.cfg.Location()
	return m("desk.pay.receipt_recorded", "receipt", e.Receipt, "date", library.DateOf(e.CreatedAt, loc),
		"time", i18n.Clock(e.CreatedAt.In(loc)), "amount", e.Amount, "method", methodMsg(e.Method))
}

// methodMsg names a payment method.
func methodMsg(pm library.PaymentMethod) msg { return m("pay.method." + string(pm)) }

// justPaid returns the ledger row of the payment a patron's page was sent
// to after recording it (?done=paid&payment=ID), to offer its receipt;
// nil when the request names none, or one not in this patron's ledger.
func justPaid(r *http.Request, rows []fineRow) *fineRow {
	q := r.URL.Query()
	id, err := strconv.ParseInt(q.Get("payment"), 10, 64)
	if q.Get("done") != "paid" || err != nil {
		return nil
	}
	for i := range rows {
		if rows[i].ID == id && rows[i].Class == string(library.FinePayment) {
			return &rows[i]
		}
	}
	return nil
}

// staffWaiver records a waiver (admin only), with a note saying why. The
// request token records it once however often the form is sent; the
// balance never goes below nothing.
func (s *Server) staffWaiver(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	fail := func(field string, x msg) error {
		return s.patronFormError(w, r, v, id, http.StatusUnprocessableEntity, field, x, "waive_amount", "waive_note")
	}
	amount, ok := parseMoney(r.PostForm.Get("waive_amount"))
	if !ok || amount <= 0 {
		return fail("waive_amount", m("desk.fine.amount_bad"))
	}
	note := strings.TrimSpace(r.PostForm.Get("waive_note"))
	if note == "" {
		return fail("waive_note", m("desk.fine.note_missing"))
	}
	if strings.ContainsAny(note, "\r\n") || len(note) > 500 {
		return fail("waive_note", m("desk.fine.note_bad"))
	}
	_, err = s.svc.SettleFine(r.Context(), v.by, library.FineRequest{PatronID: id, Kind: library.FineWaiver, Amount: amount, Note: note,
		RequestToken: r.PostForm.Get("request")})
	if errors.Is(err, library.ErrAlreadyDone) {
		return patronDone(w, r, id, "already")
	}
	if rf, ok := library.AsRefusal(err); ok {
		return fail("waive_amount", s.deskReason(rf))
	}
	if err != nil {
		return err
	}
	return patronDone(w, r, id, "waived")
}

// staffRenew renews the patron's selected loans, or all of them, and shows
// the patron's page with an outcome per loan.
func (s *Server) staffRenew(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var ids []int64 // nil renews every current loan
	if !r.PostForm.Has("all") {
		ids = []int64{}
		for _, f := range r.PostForm["loan"] {
			lid, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return errBadRequest
			}
			if !slices.Contains(ids, lid) {
				ids = append(ids, lid)
			}
		}
		if len(ids) == 0 {
			return s.patronFormError(w, r, v, id, http.StatusUnprocessableEntity, "loans", m("desk.renew.none_selected"))
		}
	}
	outcomes, err := s.svc.DeskRenew(r.Context(), v.by, id, ids, r.PostForm.Get("request"))
	if errors.Is(err, library.ErrAlreadyDone) {
		return patronDone(w, r, id, "already")
	}
	if err != nil {
		return err
	}
	return s.renderPatron(w, r, v, id, http.StatusOK, func(p *patronPage) {
		p.Results = s.deskRenewResults(outcomes)
	})
}

// deskRenewResults words each renewal outcome for staff, and sums them up.
func (s *Server) deskRenewResults(outcomes []library.RenewOutcome) *renewResults {
	return s.wordRenewals(outcomes, s.deskReason, "desk.renew.charged")
}

// staffPatronHold places a hold for the patron on an item on loan, by the
// item's barcode.
func (s *Server) staffPatronHold(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	barcode := library.NormalizeBarcode(r.PostForm.Get("item_barcode"))
	fail := func(status int, x msg) error {
		return s.patronFormError(w, r, v, id, status, "item_barcode", x, "item_barcode")
	}
	if barcode == "" {
		return fail(http.StatusUnprocessableEntity, m("desk.hold.item_missing"))
	}
	_, err = s.svc.PlaceHold(r.Context(), v.by, id, barcode)
	if rf, ok := library.AsRefusal(err); ok {
		return fail(http.StatusConflict, s.deskReason(rf))
	}
	if library.IsCode(err, library.ENOTFOUND) {
		if _, perr := s.svc.PatronFile(r.Context(), v.by, id); perr != nil {
			return perr
		}
		return fail(http.StatusUnprocessableEntity, m("desk.scan.no_item", "barcode", barcode))
	}
	if err != nil {
		return err
	}
	return patronDone(w, r, id, "hold_placed")
}
