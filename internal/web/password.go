package web

import (
	"errors"
	"net/http"

	"github.com/carrel-library/carrel/internal/library"
)

// passwordPath is the Change Password page (R6).
const passwordPath = "/account/password"

// passwordPage is the data of the Change Password page.
type passwordPage struct {
	base
	Errors formErrors
	Min    int // the policy's shortest PIN, said up front
}

func (s *Server) newPasswordPage(r *http.Request, v *visit) *passwordPage {
	p := &passwordPage{base: s.signedInBase(r, v, "password", m("title.password")), Min: s.cfg.PIN.MinLength}
	p.Script = true
	return p
}

// passwordForm shows Change Password; while the patron is on a preset or
// temporary PIN it also says why a new one is needed before anything else.
func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	return s.render(w, r, http.StatusOK, "password", s.newPasswordPage(r, v))
}

// changePassword changes the PIN. Each refusal is shown beside the field it
// is about; on success the record says so (the domain has already ended the
// patron's other sessions).
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, v *visit) error {
	form := map[string]string{}
	for _, f := range pinFields {
		form[f] = r.PostForm.Get(f)
	}
	err := s.svc.ChangePIN(r.Context(), v.sess, form["old_pin"], form["new_pin"], form["confirm_pin"])
	var pe *library.PolicyError
	if errors.As(err, &pe) {
		p := s.newPasswordPage(r, v)
		p.Errors = s.pinErrors(pe, form)
		return s.render(w, r, http.StatusUnprocessableEntity, "password", p)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/account?done=pin")
}

// pinFields are the fields of the Change Password form, in page order.
var pinFields = []string{"old_pin", "new_pin", "confirm_pin"}

// pinErrors places the domain's refusal on the field it is about.
func (s *Server) pinErrors(pe *library.PolicyError, form map[string]string) formErrors {
	if pe.Problem == library.PINMissing {
		var errs formErrors
		for _, f := range pinFields {
			if form[f] == "" {
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
