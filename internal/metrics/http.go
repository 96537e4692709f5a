package metrics

import (
	"net/http"
	"strconv"
	"time"
)

// unmatched is the route label of a request no route answered: the mux
// found no pattern, or the answer was 404. The URL path is never a label.
const unmatched = "unmatched"

// Middleware counts and times every request next answers, by the ServeMux
// pattern that matched it (such as "GET /account") and the status code.
// It must wrap the mux without anything in between that copies the
// request, since the mux records the pattern on the request it is given.
// A nil *Metrics returns next unchanged.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		// The pattern is read only now: the mux sets it while serving.
		route := r.Pattern
		if route == "" || sw.code() == http.StatusNotFound {
			route = unmatched
		}
		m.httpRequests.WithLabelValues(route, strconv.Itoa(sw.code())).Inc()
		m.httpDuration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status code written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first final status; 1xx informational headers
// may come before it.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write implies 200 when no status was written.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush keeps streaming responses working through the wrapper.
func (w *statusWriter) Flush() { _ = w.FlushError() }

// FlushError flushes the underlying writer, or reports
// http.ErrNotSupported; http.ResponseController prefers it to Flush.
// A flush before any status sends 200.
func (w *statusWriter) FlushError() error {
	err := http.NewResponseController(w.ResponseWriter).Flush()
	if err == nil && w.status == 0 {
		w.status = http.StatusOK
	}
	return err
}

// Unwrap lets http.ResponseController reach the underlying writer
// (deadlines, hijacking, full-duplex).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status sent: 200 when the handler wrote nothing.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
