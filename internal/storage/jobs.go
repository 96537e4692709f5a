package storage

import (
	"database/sql"
	"errors"
	"time"
)

// ClaimJob implements library.Tx. The upsert changes the row only when the
// job is due, so of several nodes claiming the same run one succeeds: on
// SQLite writers take turns, and on PostgreSQL the loser of the conflict
// retries and then finds the run already claimed.
func (t *tx) ClaimJob(name string, now, next time.Time) (bool, error) {
	res, err := t.exec(`INSERT INTO jobs (name, next_run_at, runs, last_run_at) VALUES ($1, $2, 1, $3)
ON CONFLICT (name) DO UPDATE SET next_run_at = excluded.next_run_at, runs = jobs.runs + 1, last_run_at = excluded.last_run_at
WHERE jobs.next_run_at <= excluded.last_run_at`, name, timeArg(next), timeArg(now))
	if err != nil {
		return false, wrap(err, "claim job %s", name)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap(err, "claim job %s", name)
}

// JobRuns implements library.Tx.
func (t *tx) JobRuns(name string) (int64, error) {
	var n int64
	err := t.queryRow(`SELECT runs FROM jobs WHERE name = $1`, name).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, wrap(err, "runs of job %s", name)
}
