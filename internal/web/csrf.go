package web

import (
	"crypto/subtle"
	"net/http"

	"github.com/carrel-library/carrel/internal/library"
)

// validCSRF reports whether a parsed POST form carries the session's
// token in its csrf field. The token is compared in constant time, and an
// empty one never matches.
func validCSRF(r *http.Request, sess library.Session) bool {
	return validToken(r, sess.CSRFToken)
}

// validToken reports whether a parsed POST form's csrf field holds want.
func validToken(r *http.Request, want string) bool {
	got := r.PostForm.Get("csrf")
	return got != "" && want != "" &&
		subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
