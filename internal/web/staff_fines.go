package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// staffPayment records a payment towards the patron's fines.
func (s *Server) staffPayment(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	return s.settle(w, r, v, library.FinePayment, "pay")
}

// staffWaiver records a waiver (admin only), with a note saying why.
func (s *Server) staffWaiver(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	return s.settle(w, r, v, library.FineWaiver, "waive")
}

// settle records a payment or a waiver from the form whose fields start
// with prefix. The request token records it once however often the form
// is sent; the balance never goes below nothing.
func (s *Server) settle(w http.ResponseWriter, r *http.Request, v *staffVisit, kind library.FineKind, prefix string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	amountField, noteField := prefix+"_amount", prefix+"_note"
	fail := func(field string, x msg) error {
		return s.patronFormError(w, r, v, id, http.StatusUnprocessableEntity, field, x, amountField, noteField)
	}
	amount, ok := parseMoney(r.PostForm.Get(amountField))
	if !ok || amount <= 0 {
		return fail(amountField, m("desk.fine.amount_bad"))
	}
	note := strings.TrimSpace(r.PostForm.Get(noteField))
	if kind == library.FineWaiver && note == "" {
		return fail(noteField, m("desk.fine.note_missing"))
	}
	if strings.ContainsAny(note, "\r\n") || len(note) > 500 {
		return fail(noteField, m("desk.fine.note_bad"))
	}
	_, err = s.svc.SettleFine(r.Context(), v.by, library.FineRequest{PatronID: id, Kind: kind, Amount: amount, Note: note,
		RequestToken: r.PostForm.Get("request")})
	if errors.Is(err, library.ErrAlreadyDone) {
		return patronDone(w, r, id, "already")
	}
	if rf, ok := library.AsRefusal(err); ok {
		return fail(amountField, s.deskReason(rf))
	}
	if err != nil {
		return err
	}
	return patronDone(w, r, id, map[library.FineKind]string{library.FinePayment: "paid", library.FineWaiver: "waived"}[kind])
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
