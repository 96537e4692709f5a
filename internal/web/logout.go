package web

import (
	"net/http"

	"github.com/carrel-library/carrel/internal/library"
)

// logout ends the session on the server and deletes the cookie. Without a
// session there is nothing to end and the browser just goes to sign-in.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	token := s.sessionToken(r)
	sess, _, err := s.svc.Authenticate(r.Context(), token)
	if library.IsCode(err, library.EUNAUTHORIZED) {
		if token != "" {
			s.clearSession(w)
		}
		return redirect(w, r, loginPath)
	}
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if !validCSRF(r, sess) {
		return errForbidden
	}
	if err := s.svc.SignOut(r.Context(), token); err != nil {
		return err
	}
	s.clearSession(w)
	return redirect(w, r, loginPath+"?signed_out=1")
}
