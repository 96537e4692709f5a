package web

import (
	"context"
	"net/http"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// healthTimeout bounds the database check, so a stuck database gives 503
// rather than a hanging probe.
const healthTimeout = 2 * time.Second

// health answers 200 "ok" when the database answers a query, 503 otherwise.
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	err := s.svc.Store().View(ctx, func(tx library.Tx) error {
		// A lookup of an ID that cannot exist makes the database run a
		// real query on the patrons table, at the cost of an index probe.
		_, err := tx.PatronByID(0)
		if library.IsCode(err, library.ENOTFOUND) {
			return nil
		}
		return err
	})
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err != nil {
		s.log.Warn("web: health check failed", "err", redact(err.Error()))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("unavailable"))
		return nil
	}
	_, _ = w.Write([]byte("ok"))
	return nil
}
