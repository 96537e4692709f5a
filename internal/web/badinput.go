package web

import (
	"net/http"
	"net/url"
	"unicode"
	"unicode/utf8"
)

// errUnreadable refuses a form or an address whose values are not text:
// bytes that are not UTF-8, or a NUL or other control character. No
// keyboard types them, so only a broken client or an attacker sends them;
// refusing them before any handler runs means nothing is looked up, stored
// or logged from them (PostgreSQL cannot store a NUL in text at all).
var errUnreadable = &webError{http.StatusBadRequest, m("error.bad_request.title"), m("error.unreadable.body")}

// readable reports whether every value (and name) in vs is text: valid
// UTF-8 without control characters other than tab and line breaks, which
// a text area may hold.
func readable(vs url.Values) bool {
	for k, list := range vs {
		if !readableText(k) {
			return false
		}
		for _, v := range list {
			if !readableText(v) {
				return false
			}
		}
	}
	return true
}

func readableText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// readableQuery refuses a request whose query string is not text, whatever
// its method, before the route's handler reads it (searches, filters,
// page numbers). parseForm does the same for a POST body.
func (s *Server) readableQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			// What does not parse is dropped by every reader of the query
			// (r.URL.Query), so only what parses is checked.
			q, _ := url.ParseQuery(r.URL.RawQuery)
			if !readable(q) {
				s.fail(w, r, errUnreadable)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
