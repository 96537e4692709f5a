package library

import (
	"context"
	"time"
)

// JobSweep is the periodic job that removes expired sessions and stale
// sign-in failures.
const JobSweep = "sweep"

// RunJob runs fn if this node claims the run of the periodic job name that
// is due now, and reports whether it did. Every node calls RunJob on its
// own ticker; the claim, kept in the database, makes the job run once per
// interval in the whole cluster, not once per node. A run whose fn fails is
// not retried before the next interval.
func (s *Service) RunJob(ctx context.Context, name string, every time.Duration, fn func(context.Context) error) (bool, error) {
	now := s.now()
	var claimed bool
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		claimed, err = tx.ClaimJob(name, now, now.Add(every))
		return err
	})
	if err != nil || !claimed {
		return false, err
	}
	return true, fn(ctx)
}
