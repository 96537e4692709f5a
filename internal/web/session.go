package web

import (
	"net/http"

	"github.com/carrel-library/carrel/internal/library"
)

// loginPath is the sign-in page, where anyone without a session is sent.
const loginPath = "/account/login"

// sessionCookieName names the session cookie. Over TLS it takes the
// __Host- prefix, which makes browsers refuse it unless it is Secure,
// host-only and for Path=/, so no sibling host can plant one.
func (s *Server) sessionCookieName() string {
	if s.tls {
		return "__Host-carrel_session"
	}
	return "carrel_session"
}

// sessionCookie returns the session cookie carrying token; an empty token
// gives the cookie that deletes it. It lasts as long as the browser is
// open: the server ends the session on idle and absolute timeouts.
func (s *Server) sessionCookie(token string) *http.Cookie {
	c := &http.Cookie{
		Name:     s.sessionCookieName(),
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.tls,
		SameSite: http.SameSiteLaxMode,
	}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, s.sessionCookie(token))
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, s.sessionCookie(""))
}

// sessionToken returns the session token the browser sent. Only the
// cookie counts: a token in the URL is never read.
func (s *Server) sessionToken(r *http.Request) string {
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

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
			return redirect(w, r, loginPath)
		}
		if err != nil {
			return err
		}
		if !pinPage && p.PIN.MustChange() {
			// A preset PIN can be worked out from the card: nothing else
			// is shown until the patron has chosen their own.
			return redirect(w, r, passwordPath)
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
