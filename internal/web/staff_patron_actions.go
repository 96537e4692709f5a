package web

import (
	"errors"
	"net/http"

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
// application (staff), after a confirmation step, with the expiry date
// typed (the category's default when left empty). With the barcode preset
// rule the first PIN is the barcode; with the random rule it is shown
// once, on a slip.
func (s *Server) staffRegister(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := s.svc.PatronFile(r.Context(), v.by, id)
	if err != nil {
		return err
	}
	p := f.Record.Patron
	if p.Registered() {
		// Sent twice, or from a stale page: registered once, no second PIN.
		return patronDone(w, r, id, "already_registered")
	}
	today := s.cfg.Today(s.svc.Now())
	expires, err := s.cfg.ParseDateInput(r.PostForm.Get("reg_expires"))
	switch {
	case err != nil:
		return s.patronFormError(w, r, v, id, http.StatusUnprocessableEntity, "reg_expires", s.badDateMsg(), "reg_expires")
	case !expires.IsZero() && expires.Before(today):
		return s.patronFormError(w, r, v, id, http.StatusUnprocessableEntity, "reg_expires",
			m("desk.register.expiry_past", "date", expires), "reg_expires")
	}
	if !confirmed(r) {
		until := expires
		if until.IsZero() {
			until = s.cfg.DefaultExpiry(p.Category, today)
		}
		body := m("desk.confirm.register.body", "today", today, "expires", until)
		if until.IsZero() {
			body = m("desk.confirm.register.no_expiry", "today", today)
		}
		return s.confirmStep(w, r, v, p, "register", body, map[string]string{"reg_expires": expires.String()})
	}
	reg, err := s.svc.RegisterPatronUntil(r.Context(), v.by, id, expires)
	switch {
	case library.IsCode(err, library.ECONFLICT):
		return patronDone(w, r, id, "already_registered")
	case err != nil:
		return err
	case reg.InitialPIN == "":
		return patronDone(w, r, id, "registered")
	}
	return s.slip(w, r, v, &slipPage{Holder: reg.Patron, Kind: "register", PIN: reg.InitialPIN}, reg.PINExpiresAt)
}

// badDateMsg says how to type a date in a desk's date field.
func (s *Server) badDateMsg() msg {
	return m("desk.expiry.bad_date", "format", s.cfg.DateFormat, "example", s.dateExample())
}

// dateExample is a date written in the library's date format.
func (s *Server) dateExample() string {
	return s.cfg.FormatDateInput(library.NewDate(2027, 8, 31))
}

// staffResetPIN gives the patron a temporary PIN, shown once on a slip,
// after a confirmation step. The form's request token, carried through
// that step, makes a form sent twice reset once.
func (s *Server) staffResetPIN(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if !confirmed(r) {
		f, err := s.svc.PatronFile(r.Context(), v.by, id)
		if err != nil {
			return err
		}
		p := f.Record.Patron
		if !p.Registered() {
			return s.patronFormError(w, r, v, id, http.StatusConflict, "reset-pin", s.deskReason(&library.Refusal{Reason: library.ReasonNotRegistered}))
		}
		token := r.PostForm.Get("request")
		if token == "" {
			token = library.NewRequestToken()
		}
		return s.confirmStep(w, r, v, p, "reset", m("desk.confirm.reset.body"), map[string]string{"request": token})
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
	d, err := s.cfg.ParseDateInput(r.PostForm.Get("expires_on"))
	if err != nil {
		return s.patronFormError(w, r, v, id, http.StatusUnprocessableEntity, "expires_on", s.badDateMsg(), "expires_on")
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
