package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
)

// readBody reads the whole request body, through the cap limitBody sets,
// before any route sees the request. A body over maxFormBytes is so
// answered 413 whatever its route, its encoding (chunked or with a
// length), its content type (multipart included) and whether or not the
// route would have read it: a handler that answers without reading (a
// redirect to sign in, a form the page does not parse) cannot let a large
// body through unrefused. Handlers read the body from memory.
func (s *Server) readBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > maxFormBytes {
			// Said too large in advance: refused without reading it.
			s.fail(w, r, errTooLarge)
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				s.fail(w, r, errTooLarge)
			} else {
				s.fail(w, r, errBadRequest)
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		next.ServeHTTP(w, r)
	})
}
