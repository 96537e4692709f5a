package web

import (
	"errors"
	"net/http"
)

// maxFormBytes bounds a request body: Carrel's forms are a few fields.
const maxFormBytes = 64 << 10

// limitBody caps every request body, so that no handler can be made to
// read more than maxFormBytes.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// parseForm reads a POST form: 413 when it is over the limit, 400 when it
// cannot be read or holds a value that is not text.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errTooLarge
		}
		return errBadRequest
	}
	if !readable(r.PostForm) {
		return errUnreadable
	}
	return nil
}

// fieldError is a problem with one form field, shown beside the field and
// in the error summary, which links to it by its id (the field's name).
type fieldError struct {
	Field string
	Msg   msg
}

// formErrors are the problems of one form, in the order of its fields.
type formErrors []fieldError

// For returns the problem with field, or nil.
func (f formErrors) For(field string) *fieldError {
	for i := range f {
		if f[i].Field == field {
			return &f[i]
		}
	}
	return nil
}
