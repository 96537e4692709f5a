package library

import (
	"errors"
	"fmt"
)

// Error codes shared by every entrance. An entrance maps each code to its own
// answer (an HTTP status, a SIP2 flag, an exit code).
const (
	ECONFLICT     = "conflict"     // the change collides with existing data
	EINTERNAL     = "internal"     // a fault of Carrel's, not the caller's
	EINVALID      = "invalid"      // the input is malformed
	ENOTFOUND     = "not_found"    // no such thing, or not the caller's to see
	EUNAUTHORIZED = "unauthorized" // sign-in failed or the session is gone
	ELOCKED       = "locked"       // sign-in is paused by throttling
	EREFUSED      = "refused"      // a library rule refuses the action
	EUNAVAILABLE  = "unavailable"  // too busy right now; try again shortly
	EFORBIDDEN    = "forbidden"    // the caller's role may not do this (a desk account, an admin-only action)
)

// Error is a domain error with a code and a message meant for logs and
// developers; entrances show their own translated text for the code.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("library: %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code string) bool { return err != nil && ErrorCode(err) == code }
