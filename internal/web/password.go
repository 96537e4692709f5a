package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/metrics"
)

// passwordPath is the Change Password page (R6).
const passwordPath = "/account/password"

// passwordPage is the data of the Change Password page.
type passwordPage struct {
	base
	Errors formErrors
	Min    int // the policy's shortest PIN, said up front
	// SkipOld leaves out the old PIN: the forced change of the barcode
	// preset this session signed in with (library.Session.SkipsOldPIN).
	SkipOld bool
	Next    string // the page of My Account to go to once the PIN is chosen
}

func (s *Server) newPasswordPage(r *http.Request, v *visit) *passwordPage {
	p := &passwordPage{base: s.signedInBase(r, v, "password", m("title.password")), Min: s.cfg.PIN.MinLength}
	p.Script = true
	p.SkipOld = v.sess.SkipsOldPIN(v.patron)
	p.Next = accountNext(r.FormValue("next"))
	return p
}

// passwordForm shows Change Password; while the patron is on a preset or
// temporary PIN it also says why a new one is needed before anything else.
func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	return s.render(w, r, http.StatusOK, "password", s.newPasswordPage(r, v))
}

// changePassword changes the PIN. Each refusal is shown beside the field it
// is about; on success the record says so (the domain has already ended the
// patron's other sessions), or the page asked for before signing in.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, v *visit) error {
	form := map[string]string{}
	for _, f := range pinFields {
		form[f] = r.PostForm.Get(f)
	}
	if v.sess.SkipsOldPIN(v.patron) {
		// Not on the form: whatever came is not checked.
		form["old_pin"] = ""
	}
	err := s.svc.ChangePIN(r.Context(), v.sess, form["old_pin"], form["new_pin"], form["confirm_pin"], clientAddr(s.cfg, r))
	var pe *library.PolicyError
	var out *library.SignedOutError
	var locked *library.LockedError
	switch {
	case errors.As(err, &out):
		return s.signedOutForPINs(w, r, out.Until)
	case errors.As(err, &locked):
		// Paused by failures elsewhere: nothing was checked, and the
		// session goes on.
		s.metrics.Locked(metrics.ChannelWeb)
		p := s.newPasswordPage(r, v)
		p.Errors = formErrors{{"old_pin", m("password.paused", "time", i18n.Clock(locked.Until.In(s.cfg.Location())),
			"phone", telLink(s.cfg.Phone), "email", mailtoLink(s.cfg.Email))}}
		w.Header().Set("Retry-After", retryAfter(s.svc.Now(), locked.Until))
		return s.render(w, r, http.StatusTooManyRequests, "password", p)
	}
	if errors.As(err, &pe) {
		p := s.newPasswordPage(r, v)
		p.Errors = s.pinErrors(pe, form, p.SkipOld)
		return s.render(w, r, http.StatusUnprocessableEntity, "password", p)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, afterPINChange(r.PostForm.Get("next")))
}

// signedOutForPINs answers the wrong old PIN that reached the allowance:
// the domain has ended the session; the browser's cookie goes too, and the
// sign-in page says why, until when, and that staff can unlock.
func (s *Server) signedOutForPINs(w http.ResponseWriter, r *http.Request, until time.Time) error {
	s.metrics.Locked(metrics.ChannelWeb)
	s.clearSession(w)
	p := s.newLoginPage(r)
	p.Alert = &alert{m("password.signed_out.title"), m("password.signed_out.body",
		"time", i18n.Clock(until.In(s.cfg.Location())), "phone", telLink(s.cfg.Phone), "email", mailtoLink(s.cfg.Email))}
	w.Header().Set("Retry-After", retryAfter(s.svc.Now(), until))
	return s.render(w, r, http.StatusTooManyRequests, "login", p)
}

// retryAfter is the Retry-After value, in whole seconds (at least 1), of a
// pause ending at until.
func retryAfter(now, until time.Time) string {
	return strconv.Itoa(max(1, int(until.Sub(now).Seconds()+0.5)))
}

// pinFields are the fields of the Change Password form, in page order.
var pinFields = []string{"old_pin", "new_pin", "confirm_pin"}

// pinErrors places the domain's refusal on the field it is about; skipOld
// says the form has no old PIN field.
func (s *Server) pinErrors(pe *library.PolicyError, form map[string]string, skipOld bool) formErrors {
	if pe.Problem == library.PINMissing {
		var errs formErrors
		for _, f := range pinFields {
			if form[f] == "" && !(skipOld && f == "old_pin") {
				errs = append(errs, fieldError{f, m("pin.missing." + f)})
			}
		}
		return errs
	}
	field := "new_pin"
	switch pe.Problem {
	case library.PINWrongOld:
		field = "old_pin"
	case library.PINMismatch:
		field = "confirm_pin"
	}
	key := "pin.problem." + string(pe.Problem)
	if !s.cat.Has(key) {
		key = "pin.problem.other"
	}
	return formErrors{{field, m(key, "min", pe.Min, "max", pe.Max)}}
}
