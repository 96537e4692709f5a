package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/metrics"
)

// loginPage is the data of the sign-in page.
type loginPage struct {
	base
	Errors    formErrors
	Alert     *alert // sign-in failed or paused
	SignedOut bool
	// Barcode is what the patron typed, normalised as the domain
	// normalises it: it depends on nothing else, so the page after a
	// failed sign-in is the same for an unknown barcode, a card holder and
	// a wrong PIN typed with the same barcode.
	Barcode string
	Next    string // the page of My Account to go to once signed in
}

// alert is a boxed message with a heading.
type alert struct {
	Title msg
	Body  msg
}

func (s *Server) newLoginPage(r *http.Request) *loginPage {
	p := &loginPage{base: s.base(r, "login", m("title.login"))}
	p.Script = true
	p.Next = accountNext(r.FormValue("next"))
	return p
}

// loginForm shows the sign-in form, headed "Borrowing Record" as the
// library's own page has it (R2). A patron already signed in goes on to
// the record, or to the page of My Account asked for (next).
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	p := s.newLoginPage(r)
	if token := s.sessionToken(r); token != "" {
		if _, _, err := s.svc.Authenticate(r.Context(), token); err == nil {
			return redirect(w, r, p.Next)
		}
	}
	p.SignedOut = r.URL.Query().Has("signed_out")
	return s.render(w, r, http.StatusOK, "login", p)
}

// login signs a patron in. Every failure that is not a throttle gives the
// same page, status and headers, so nothing tells an unknown barcode, a
// card holder and a wrong PIN apart: the barcode field keeps what was
// typed, normalised, and the PIN field is empty. A right PIN leads to the
// page asked for (next), after choosing a new PIN if one must be chosen.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	barcode, pin := r.PostForm.Get("barcode"), r.PostForm.Get("pin")
	p := s.newLoginPage(r)
	p.Barcode = library.NormalizeBarcode(barcode)
	if strings.TrimSpace(barcode) == "" {
		p.Errors = append(p.Errors, fieldError{"barcode", m("login.barcode_missing")})
	}
	if pin == "" {
		p.Errors = append(p.Errors, fieldError{"pin", m("login.pin_missing")})
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "login", p)
	}

	in, err := s.svc.SignIn(library.WithDevice(r.Context(), deviceLabel(r.UserAgent())), barcode, pin, clientAddr(s.cfg, r))
	var locked *library.LockedError
	switch {
	case errors.As(err, &locked):
		s.metrics.Locked(metrics.ChannelWeb)
		until := locked.Until.In(s.cfg.Location())
		p.Alert = &alert{m("login.locked.title"), m("login.locked.body", "time", i18n.Clock(until),
			"phone", telLink(s.cfg.Phone), "email", mailtoLink(s.cfg.Email))}
		w.Header().Set("Retry-After", retryAfter(s.svc.Now(), locked.Until))
		return s.render(w, r, http.StatusTooManyRequests, "login", p)
	case library.IsCode(err, library.EUNAUTHORIZED):
		s.metrics.SignInFailed(metrics.ChannelWeb)
		p.Alert = &alert{m("login.failed.title"), m("login.failed.body",
			"phone", telLink(s.cfg.Phone), "email", mailtoLink(s.cfg.Email))}
		return s.render(w, r, http.StatusUnauthorized, "login", p)
	case err != nil:
		return err
	}

	// A session the browser held before signing in is ended, not reused:
	// the new session always has a new id.
	if old := s.sessionToken(r); old != "" {
		if err := s.svc.SignOut(r.Context(), old); err != nil {
			return err
		}
	}
	s.setSession(w, in.Token)
	if in.Patron.PIN.MustChange() {
		return redirect(w, r, passwordPath+nextParam(p.Next))
	}
	return redirect(w, r, p.Next)
}
