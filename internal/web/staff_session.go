package web

import (
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// staffLoginPath is the staff desk's sign-in page, where a request without
// a staff session is sent.
const staffLoginPath = "/staff/login"

func (s *Server) setStaffSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, s.cookie(staffSessions, token))
}

func (s *Server) clearStaffSession(w http.ResponseWriter) {
	http.SetCookie(w, s.cookie(staffSessions, ""))
}

// staffToken returns the staff session token the browser sent, from the
// staff cookie only.
func (s *Server) staffToken(r *http.Request) string { return s.tokenOf(staffSessions, r) }

// staffVisit is a request of a signed-in staff member (or, on the pages
// that finish a sign-in, of a session awaiting its two-factor code).
type staffVisit struct {
	token string
	sess  library.StaffSession
	staff library.Staff
	by    library.Actor // who asks, with the client address, for the audit log
}

// admin reports whether the staff member may do admin-only actions.
func (v *staffVisit) admin() bool { return v.staff.Role == library.RoleAdmin }

// staffHandler handles a staff desk request; v is nil on the open pages
// (signing in).
type staffHandler func(s *Server, w http.ResponseWriter, r *http.Request, v *staffVisit) error

// access says who may use a staff route.
type access int

// The kinds of staff route.
const (
	// accessOpen: anyone (signing in and out).
	accessOpen access = iota
	// accessPending: a session whose password was right and which awaits
	// its two-factor code or set-up.
	accessPending
	// accessDesk: any signed-in staff account.
	accessDesk
	// accessAdmin: admin accounts only; a desk account gets 403.
	accessAdmin
)

// String names the access level, for tests and messages.
func (a access) String() string {
	return [...]string{"open", "pending", "desk", "admin"}[a]
}

// staffGuard lets a request through to h when it has the access a route
// needs, and checks the CSRF token of every POST that has a session.
func (s *Server) staffGuard(h staffHandler, a access) appHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a == accessOpen {
			return h(s, w, r, nil)
		}
		token := s.staffToken(r)
		var sess library.StaffSession
		var st library.Staff
		var err error
		if a == accessPending {
			sess, st, err = s.svc.PendingStaffSession(r.Context(), token)
		} else {
			sess, st, err = s.svc.AuthenticateStaff(r.Context(), token)
		}
		if library.IsCode(err, library.EUNAUTHORIZED) && a == accessPending {
			// Already signed in: the sign-in pages have nothing to finish.
			if _, _, aerr := s.svc.AuthenticateStaff(r.Context(), token); aerr == nil {
				return redirect(w, r, "/staff")
			}
		}
		if library.IsCode(err, library.EUNAUTHORIZED) && a != accessPending {
			// A sign-in half done goes on to its code or set-up, not to
			// the start again.
			if ps, _, perr := s.svc.PendingStaffSession(r.Context(), token); perr == nil {
				return s.afterStaffSignIn(w, r, ps.Stage, "/staff")
			}
		}
		if library.IsCode(err, library.EUNAUTHORIZED) {
			return s.toStaffLogin(w, r, token)
		}
		if err != nil {
			return err
		}
		if a == accessAdmin && st.Role != library.RoleAdmin {
			return errDenied
		}
		v := &staffVisit{token: token, sess: sess, staff: st, by: st.Actor(clientAddr(s.cfg, r))}
		if r.Method == http.MethodPost {
			if err := parseForm(r); err != nil {
				return err
			}
			if !validToken(r, sess.CSRFToken) {
				return errForbidden
			}
		}
		return h(s, w, r, v)
	}
}

// toStaffLogin sends a request without a usable staff session to sign in,
// deleting a cookie that no longer names one. A page asked for with GET is
// remembered, so that signing in leads back to it.
func (s *Server) toStaffLogin(w http.ResponseWriter, r *http.Request, token string) error {
	if token != "" {
		s.clearStaffSession(w)
	}
	if r.Method == http.MethodGet && r.URL.Path != "/staff" {
		return redirect(w, r, staffLoginPath+"?next="+url.QueryEscape(r.URL.RequestURI()))
	}
	return redirect(w, r, staffLoginPath)
}

// staffNext returns where to go after signing in: next when it is a staff
// page of this site, else the desk's home.
func staffNext(next string) string {
	if next == "" {
		return "/staff"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/staff"
	}
	p := path.Clean(localPath(u.Path))
	if p != "/staff" && !strings.HasPrefix(p, "/staff/") || strings.HasPrefix(p, staffLoginPath) {
		return "/staff"
	}
	if u.RawQuery != "" {
		return p + "?" + u.Query().Encode()
	}
	return p
}

// errorsIsNoSession reports whether err says the session is gone, as
// opposed to a code or password that is not right.
func errorsIsNoSession(err error) bool { return errors.Is(err, library.ErrNoSession) }
