package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// patronDone returns to the patron's page with a message saying what was
// done (Post/Redirect/Get: a reload repeats nothing).
func patronDone(w http.ResponseWriter, r *http.Request, id int64, done string) error {
	return redirect(w, r, patronPath(id)+"?done="+done)
}

// patronFormError shows the patron's page again with a problem beside the
// field of the form that was sent, and what was typed in the fields.
func (s *Server) patronFormError(w http.ResponseWriter, r *http.Request, v *staffVisit, id int64, status int, field string, x msg, keep ...string) error {
	return s.renderPatron(w, r, v, id, status, func(p *patronPage) {
		p.Errors = formErrors{{field, x}}
		for _, f := range keep {
			p.Form[f] = r.PostForm.Get(f)
		}
	})
}

// staffRegister completes a card holder's registration (students) or
// application (staff). With the barcode preset rule the first PIN is the
// barcode; with the random rule it is shown once, on a slip.
func (s *Server) staffRegister(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reg, err := s.svc.RegisterPatron(r.Context(), v.by, id)
	switch {
	case library.IsCode(err, library.ECONFLICT):
		// Sent twice, or from a stale page: registered once, no second PIN.
		return patronDone(w, r, id, "already_registered")
	case err != nil:
		return err
	case reg.InitialPIN == "":
		return patronDone(w, r, id, "registered")
	}
	return s.slip(w, r, v, &slipPage{Holder: reg.Patron, Kind: "register", PIN: reg.InitialPIN}, reg.PINExpiresAt)
}

// staffResetPIN gives the patron a temporary PIN, shown once on a slip. The
// form's request token makes a form sent twice reset once.
func (s *Server) staffResetPIN(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	tmp, err := s.svc.ResetPIN(r.Context(), v.by, id, r.PostForm.Get("request"))
	if errors.Is(err, library.ErrAlreadyDone) {
		f, err := s.svc.PatronFile(r.Context(), v.by, id)
		if err != nil {
			return err
		}
		return s.slip(w, r, v, &slipPage{Holder: f.Record.Patron, Kind: "reset", Already: true}, f.Record.Patron.PIN.ExpiresAt)
	}
	if rf, ok := library.AsRefusal(err); ok {
		return s.patronFormError(w, r, v, id, http.StatusConflict, "reset-pin", s.deskReason(rf))
	}
	if err != nil {
		return err
	}
	return s.slip(w, r, v, &slipPage{Holder: tmp.Patron, Kind: "reset", PIN: tmp.PIN}, tmp.ExpiresAt)
}

// staffUnlock ends the pause on sign-in with the patron's barcode.
func (s *Server) staffUnlock(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.svc.UnlockPatron(r.Context(), v.by, id); err != nil {
		return err
	}
	return patronDone(w, r, id, "unlocked")
}

// staffBlock blocks the patron with a reason staff will see.
func (s *Server) staffBlock(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostForm.Get("block_reason"))
	if reason == "" || strings.ContainsAny(reason, "\r\n") || len(reason) > 500 {
		return s.patronFormError(w, r, v, id, http.StatusUnprocessableEntity, "block_reason", m("desk.block.reason_missing"), "block_reason")
	}
	if _, err := s.svc.BlockPatron(r.Context(), v.by, id, reason); err != nil {
		return err
	}
	return patronDone(w, r, id, "blocked")
}

// staffUnblock lifts a block.
func (s *Server) staffUnblock(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.UnblockPatron(r.Context(), v.by, id); err != nil {
		return err
	}
	return patronDone(w, r, id, "unblocked")
}

// staffExpiry changes the last day the patron's account is valid; an empty
// date means no expiry.
func (s *Server) staffExpiry(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := library.ParseDate(strings.TrimSpace(r.PostForm.Get("expires_on")))
	if err != nil {
		return s.patronFormError(w, r, v, id, http.StatusUnprocessableEntity, "expires_on", m("desk.expiry.bad_date"), "expires_on")
	}
	if _, err := s.svc.SetPatronExpiry(r.Context(), v.by, id, d); err != nil {
		return err
	}
	return patronDone(w, r, id, "expiry")
}

// staffReplaceCard gives the patron a new card. The form carries the
// barcode it was shown with: from a stale page (the card replaced since)
// nothing changes.
func (s *Server) staffReplaceCard(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	newBarcode := library.NormalizeBarcode(r.PostForm.Get("new_barcode"))
	oldBarcode := library.NormalizeBarcode(r.PostForm.Get("old_barcode"))
	fail := func(key string, args ...any) error {
		return s.patronFormError(w, r, v, id, http.StatusUnprocessableEntity, "new_barcode", m(key, args...), "new_barcode")
	}
	f, err := s.svc.PatronFile(r.Context(), v.by, id)
	if err != nil {
		return err
	}
	p := f.Record.Patron
	switch {
	case newBarcode == "":
		return fail("desk.card.missing")
	case oldBarcode != p.Barcode:
		return s.patronFormError(w, r, v, id, http.StatusConflict, "new_barcode", m("desk.card.stale", "barcode", p.Barcode))
	case newBarcode == p.Barcode:
		return fail("desk.card.same")
	}
	if cat, ok := s.cfg.Category(p.Category); ok && !cat.ValidBarcode(newBarcode) {
		return fail("desk.card.pattern", "hint", cat.BarcodeHint)
	}
	found, err := s.svc.FindPatrons(r.Context(), v.by, library.PatronQuery{Text: newBarcode, Limit: 1})
	if err != nil {
		return err
	}
	if found.Replaced {
		return fail("desk.card.retired")
	}
	if len(found.Patrons) > 0 && found.Patrons[0].Barcode == newBarcode {
		return fail("desk.card.taken")
	}
	_, err = s.svc.ReplaceCard(r.Context(), v.by, id, oldBarcode, newBarcode)
	if library.IsCode(err, library.ECONFLICT) {
		// Someone else got there between the checks and the change.
		return s.patronFormError(w, r, v, id, http.StatusConflict, "new_barcode", m("desk.card.conflict"))
	}
	if err != nil {
		return err
	}
	return patronDone(w, r, id, "card")
}
