package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

// channelStaff is the metrics channel of staff sign-ins.
const channelStaff = "staff"

// staffBase returns the layout data of a staff desk page. The desk's
// navigation shows only to a signed-in staff member.
func (s *Server) staffBase(r *http.Request, v *staffVisit, page string, title msg) base {
	b := s.base(r, page, title)
	b.Desk = true
	b.Path = staffGetPath(r.URL.Path, r.Method)
	if v != nil && v.sess.Stage == library.StageActive {
		b.Staff = &v.staff
		b.CSRF = v.sess.CSRFToken
		b.Admin = v.admin()
	}
	return b
}

// staffLoginPage is the data of the staff sign-in page and of the
// two-factor code page.
type staffLoginPage struct {
	base
	Errors    formErrors
	Alert     *alert
	SignedOut bool
	Username  string // echoed after a form error only
	Next      string // where to go once signed in
}

func (s *Server) newStaffLoginPage(r *http.Request, v *staffVisit, page string) *staffLoginPage {
	p := &staffLoginPage{base: s.staffBase(r, v, page, m("desk.title.login"))}
	p.Next = staffNext(r.FormValue("next"))
	return p
}

// staffLoginForm shows the staff sign-in form; a staff member already
// signed in goes on to the desk.
func (s *Server) staffLoginForm(w http.ResponseWriter, r *http.Request, _ *staffVisit) error {
	if _, _, err := s.svc.AuthenticateStaff(r.Context(), s.staffToken(r)); err == nil {
		return redirect(w, r, staffNext(r.URL.Query().Get("next")))
	}
	p := s.newStaffLoginPage(r, nil, "staff_login")
	p.SignedOut = r.URL.Query().Has("signed_out")
	return s.render(w, r, http.StatusOK, "staff_login", p)
}

// staffLogin checks a username and password. Every failure gives the same
// page; a right password opens a session that is either signed in, or
// awaits a two-factor code or the set-up of one.
func (s *Server) staffLogin(w http.ResponseWriter, r *http.Request, _ *staffVisit) error {
	if err := parseForm(r); err != nil {
		return err
	}
	username, password := r.PostForm.Get("username"), r.PostForm.Get("password")
	p := s.newStaffLoginPage(r, nil, "staff_login")
	if strings.TrimSpace(username) == "" {
		p.Errors = append(p.Errors, fieldError{"username", m("desk.login.username_missing")})
	}
	if password == "" {
		p.Errors = append(p.Errors, fieldError{"password", m("desk.login.password_missing")})
	}
	if len(p.Errors) > 0 {
		p.Username = library.NormalizeUsername(username)
		return s.render(w, r, http.StatusUnprocessableEntity, "staff_login", p)
	}
	in, err := s.svc.StaffSignIn(r.Context(), username, password, clientAddr(s.cfg, r))
	if done, err := s.staffSignInFailed(w, r, err, p, "staff_login", "desk.login.failed"); done {
		return err
	}
	// A session the browser held is ended, not reused: a new id each time.
	if old := s.staffToken(r); old != "" {
		if err := s.svc.StaffSignOut(r.Context(), old, clientAddr(s.cfg, r)); err != nil {
			return err
		}
	}
	s.setStaffSession(w, in.Token)
	return s.afterStaffSignIn(w, r, in.Session.Stage, p.Next)
}

// staffSignInFailed answers a refused sign-in or code: paused (429) or not
// right (401), on the page it came from. It reports whether it answered.
func (s *Server) staffSignInFailed(w http.ResponseWriter, r *http.Request, err error, p *staffLoginPage, page, failedKey string) (bool, error) {
	var locked *library.LockedError
	switch {
	case err == nil:
		return false, nil
	case errors.As(err, &locked):
		s.metrics.Locked(channelStaff)
		until := locked.Until.In(s.cfg.Location())
		p.Alert = &alert{m("desk.login.locked.title"), m("desk.login.locked.body", "time", i18n.Clock(until))}
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(locked.Until.Sub(s.svc.Now()).Seconds()+0.5))))
		return true, s.render(w, r, http.StatusTooManyRequests, page, p)
	case errors.Is(err, library.ErrNoSession):
		return true, s.toStaffLogin(w, r, s.staffToken(r))
	case library.IsCode(err, library.EUNAUTHORIZED):
		s.metrics.SignInFailed(channelStaff)
		p.Alert = &alert{m(failedKey + ".title"), m(failedKey + ".body")}
		return true, s.render(w, r, http.StatusUnauthorized, page, p)
	}
	return true, err
}

// afterStaffSignIn goes where a session at stage must go next.
func (s *Server) afterStaffSignIn(w http.ResponseWriter, r *http.Request, stage library.StaffStage, next string) error {
	q := ""
	if next != "/staff" {
		q = "?next=" + url.QueryEscape(next)
	}
	switch stage {
	case library.StageCode:
		return redirect(w, r, "/staff/login/code"+q)
	case library.StageEnrol:
		return redirect(w, r, "/staff/login/enrol"+q)
	}
	return redirect(w, r, next)
}

// staffCodeForm asks for the two-factor code of a session whose password
// was right.
func (s *Server) staffCodeForm(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	if v.sess.Stage != library.StageCode {
		return s.afterStaffSignIn(w, r, v.sess.Stage, staffNext(r.URL.Query().Get("next")))
	}
	p := s.newStaffLoginPage(r, v, "staff_code")
	p.CSRF = v.sess.CSRFToken
	return s.render(w, r, http.StatusOK, "staff_code", p)
}

// staffCode finishes a sign-in with a two-factor code; the session is
// replaced by a new one.
func (s *Server) staffCode(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	p := s.newStaffLoginPage(r, v, "staff_code")
	p.CSRF = v.sess.CSRFToken
	code := r.PostForm.Get("code")
	if strings.TrimSpace(code) == "" {
		p.Errors = formErrors{{"code", m("desk.code.missing")}}
		return s.render(w, r, http.StatusUnprocessableEntity, "staff_code", p)
	}
	in, err := s.svc.StaffSignInCode(r.Context(), v.token, code, v.by.Addr)
	if done, err := s.staffSignInFailed(w, r, err, p, "staff_code", "desk.code.failed"); done {
		return err
	}
	s.setStaffSession(w, in.Token)
	return redirect(w, r, p.Next)
}

// staffLogout ends the staff session, whatever its stage, and deletes the
// cookie.
func (s *Server) staffLogout(w http.ResponseWriter, r *http.Request, _ *staffVisit) error {
	token := s.staffToken(r)
	sess, _, err := s.svc.AuthenticateStaff(r.Context(), token)
	if library.IsCode(err, library.EUNAUTHORIZED) {
		sess, _, err = s.svc.PendingStaffSession(r.Context(), token)
	}
	if library.IsCode(err, library.EUNAUTHORIZED) {
		return s.toStaffLogin(w, r, token)
	}
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if !validToken(r, sess.CSRFToken) {
		return errForbidden
	}
	if err := s.svc.StaffSignOut(r.Context(), token, clientAddr(s.cfg, r)); err != nil {
		return err
	}
	s.clearStaffSession(w)
	return redirect(w, r, staffLoginPath+"?signed_out=1")
}
