package web

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// appHandler is a handler that returns its failure instead of writing it,
// so that one place decides the status, the page and what is logged.
type appHandler func(w http.ResponseWriter, r *http.Request) error

// webError is a failure with the status and the words the patron sees.
type webError struct {
	status int
	title  msg
	body   msg
}

func (e *webError) Error() string { return http.StatusText(e.status) }

var (
	errNotFound   = &webError{http.StatusNotFound, m("error.not_found.title"), m("error.not_found.body")}
	errBadRequest = &webError{http.StatusBadRequest, m("error.bad_request.title"), m("error.bad_request.body")}
	errForbidden  = &webError{http.StatusForbidden, m("error.forbidden.title"), m("error.forbidden.body")}
	errTooLarge   = &webError{http.StatusRequestEntityTooLarge, m("error.too_large.title"), m("error.too_large.body")}
	errBusy       = &webError{http.StatusServiceUnavailable, m("error.busy.title"), m("error.busy.body")}
	errRefused    = &webError{http.StatusConflict, m("error.refused.title"), m("error.refused.body")}
	errInternal   = &webError{http.StatusInternalServerError, m("error.internal.title"), m("error.internal.body")}
	// errDenied refuses a desk account an admin-only action: 403, with the
	// page of a missing thing, since the account has no business with it.
	errDenied = &webError{http.StatusForbidden, m("error.not_found.title"), m("error.not_found.body")}
)

// handle adapts an appHandler to net/http.
func (s *Server) handle(h appHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// fail answers a request whose handler failed.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var we *webError
	if !errors.As(err, &we) {
		switch library.ErrorCode(err) {
		case library.EUNAUTHORIZED:
			// The session ended while the request ran: sign in again.
			if staffPath(r.URL.Path) {
				s.clearStaffSession(w)
				_ = redirect(w, r, staffLoginPath)
				return
			}
			s.clearSession(w)
			_ = redirect(w, r, loginPath)
			return
		case library.EFORBIDDEN:
			we = errDenied
		case library.ENOTFOUND:
			we = errNotFound
		case library.EINVALID:
			we = errBadRequest
		case library.EREFUSED, library.ECONFLICT, library.ELOCKED:
			we = errRefused
		case library.EUNAVAILABLE:
			we = errBusy
		default:
			we = errInternal
			// Only Carrel's own faults are logged, and without the quoted
			// values storage errors carry (barcodes).
			s.log.Error("web: request failed", "method", r.Method, "route", r.Pattern, "err", redact(err.Error()))
		}
	}
	data := errorPage{base: s.base(r, "error", we.title), Body: we.body, Back: "/", BackLabel: m("error.home")}
	if staffPath(r.URL.Path) {
		data.Desk, data.Path = true, staffGetPath(r.URL.Path, r.Method)
		data.Back, data.BackLabel = "/staff", m("desk.error.back")
	}
	if we.status == http.StatusServiceUnavailable {
		s.busy(w, r, &data)
	}
	if rerr := s.render(w, r, we.status, "error", &data); rerr != nil {
		s.log.Error("web: render error page", "route", r.Pattern, "err", rerr)
		http.Error(w, http.StatusText(we.status), we.status)
	}
}

// busyRetryAfter is the Retry-After of a busy answer, in seconds: enough
// for a full sign-in queue to drain on two cores.
const busyRetryAfter = "5"

// busy fills the page of a 503: PIN hashing is at its limit. The answer
// says when to come back, and the page leads back to the form the request
// came from; a sign-in says plainly that the PIN was not checked.
func (s *Server) busy(w http.ResponseWriter, r *http.Request, data *errorPage) {
	w.Header().Set("Retry-After", busyRetryAfter)
	data.Back, data.BackLabel = data.Path, m("error.busy.again")
	if p := r.URL.Path; p == loginPath || p == staffLoginPath {
		data.Title, data.Body = m("error.busy.signin_title"), m("error.busy.signin_body")
		data.BackLabel = m("error.busy.retry")
		if p == staffLoginPath {
			data.Body = m("error.busy.staff_body")
		}
	}
}

// errorPage is the data of the error page.
type errorPage struct {
	base
	Body      msg
	Back      string
	BackLabel msg
}

// quoted matches the %q-quoted values in error text.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// redact hides quoted values in an error message: storage quotes the
// barcodes and keys it looked up, and logs must not hold them.
func redact(s string) string { return quoted.ReplaceAllString(s, `"…"`) }

// notFound answers any path no route claims.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error { return errNotFound }

// crossOrigin answers a state-changing request from another site.
func (s *Server) crossOrigin(w http.ResponseWriter, r *http.Request) error { return errForbidden }

// staffPath reports whether a path is one of the staff desk's.
func staffPath(p string) bool { return p == "/staff" || strings.HasPrefix(p, "/staff/") }
