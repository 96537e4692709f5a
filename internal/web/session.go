package web

import (
	"net/http"

	"github.com/carrel-library/carrel/internal/library"
)

// loginPath is the sign-in page, where anyone without a session is sent.
const loginPath = "/account/login"

// sessionKind is one kind of session cookie: the patron's or the staff
// member's. Each kind has a cookie of its own, so that one session can
// never be taken for the other. Over TLS the name takes the __Host- prefix,
// which makes browsers refuse the cookie unless it is Secure, host-only and
// for Path=/, so no sibling host can plant one.
type sessionKind struct {
	name     string
	sameSite http.SameSite
}

var (
	// patronSessions lasts as long as the browser is open: the server ends
	// the session on idle and absolute timeouts. SameSite=Lax lets a link
	// from the library's site arrive signed in.
	patronSessions = sessionKind{"carrel_session", http.SameSiteLaxMode}
	// staffSessions is SameSite=Strict: no link or form on another site
	// ever arrives with a staff session.
	staffSessions = sessionKind{"carrel_staff", http.SameSiteStrictMode}
)

// cookieName is the name of the kind's cookie on this server.
func (s *Server) cookieName(k sessionKind) string {
	if s.tls {
		return "__Host-" + k.name
	}
	return k.name
}

// cookie returns the kind's session cookie carrying token; an empty token
// gives the cookie that deletes it.
func (s *Server) cookie(k sessionKind, token string) *http.Cookie {
	c := &http.Cookie{
		Name:     s.cookieName(k),
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.tls,
		SameSite: k.sameSite,
	}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}

// tokenOf returns the session token of the kind the browser sent. Only the
// cookie counts: a token in the URL is never read.
func (s *Server) tokenOf(k sessionKind, r *http.Request) string {
	c, err := r.Cookie(s.cookieName(k))
	if err != nil {
		return ""
	}
	return c.Value
}

// sessionCookieName names the patron's session cookie.
func (s *Server) sessionCookieName() string { return s.cookieName(patronSessions) }

// sessionCookie returns the patron's session cookie carrying token.
func (s *Server) sessionCookie(token string) *http.Cookie { return s.cookie(patronSessions, token) }

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, s.cookie(patronSessions, token))
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, s.cookie(patronSessions, ""))
}

// sessionToken returns the patron's session token the browser sent.
func (s *Server) sessionToken(r *http.Request) string { return s.tokenOf(patronSessions, r) }

// visit is a signed-in patron's request.
type visit struct {
	token  string
	sess   library.Session
	patron library.Patron
}

// accountHandler handles a request of a signed-in patron.
type accountHandler func(w http.ResponseWriter, r *http.Request, v *visit) error

// signedIn lets only a signed-in patron through, and only one who need
// not choose a new PIN first.
func (s *Server) signedIn(h accountHandler) appHandler { return s.withSession(h, false) }

// signedInToChangePIN lets a signed-in patron through even while a new PIN
// must be chosen: it guards the Change Password page itself.
func (s *Server) signedInToChangePIN(h accountHandler) appHandler { return s.withSession(h, true) }

func (s *Server) withSession(h accountHandler, pinPage bool) appHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		token := s.sessionToken(r)
		sess, p, err := s.svc.Authenticate(r.Context(), token)
		if library.IsCode(err, library.EUNAUTHORIZED) {
			if token != "" {
				s.clearSession(w)
			}
			// Signing in leads back to the page asked for.
			return redirect(w, r, loginPath+nextParam(askedNext(r)))
		}
		if err != nil {
			return err
		}
		if !pinPage && p.PIN.MustChange() {
			// A preset PIN can be worked out from the card: nothing else
			// is shown until the patron has chosen their own; then the
			// page asked for.
			return redirect(w, r, passwordPath+nextParam(askedNext(r)))
		}
		v := &visit{token: token, sess: sess, patron: p}
		if r.Method == http.MethodPost {
			if err := parseForm(r); err != nil {
				return err
			}
			if !validCSRF(r, v.sess) {
				return errForbidden
			}
		}
		return h(w, r, v)
	}
}
