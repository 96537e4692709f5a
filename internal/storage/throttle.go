package storage

import (
	"database/sql"
	"errors"
	"time"
)

// Sign-in throttling keeps its counts in the database, not in memory, so
// that web, SIP2 and API, on every node, count the same failures.

// LockedUntil implements library.Tx.
func (t *tx) LockedUntil(key string, now time.Time) (time.Time, error) {
	var until time.Time
	err := t.queryRow(`SELECT locked_until FROM signin_locks WHERE key = $1 AND locked_until > $2`,
		key, timeBound(now)).Scan(timeCol{&until})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return until, wrap(err, "lock of a throttle key")
}

// Lock implements library.Tx. A new lock replaces the key's previous one.
func (t *tx) Lock(key string, until time.Time) error {
	_, err := t.exec(`INSERT INTO signin_locks (key, locked_until) VALUES ($1, $2)
ON CONFLICT (key) DO UPDATE SET locked_until = excluded.locked_until`, key, timeArg(until))
	return wrap(err, "lock a throttle key")
}

// Unlock implements library.Tx.
func (t *tx) Unlock(key string) error {
	if _, err := t.exec(`DELETE FROM signin_locks WHERE key = $1`, key); err != nil {
		return wrap(err, "unlock a throttle key")
	}
	_, err := t.exec(`DELETE FROM signin_failures WHERE key = $1`, key)
	return wrap(err, "unlock a throttle key")
}

// AddFailure implements library.Tx.
func (t *tx) AddFailure(key string, at time.Time) (int64, error) {
	id, err := t.insert(`INSERT INTO signin_failures (key, at) VALUES ($1, $2)`, key, timeArg(at))
	return id, wrap(err, "add a sign-in failure")
}

// ReserveFailure implements library.Tx.
func (t *tx) ReserveFailure(key string, at, until time.Time) (int64, error) {
	id, err := t.insert(`INSERT INTO signin_failures (key, at, pending_until) VALUES ($1, $2, $3)`,
		key, timeArg(at), timeArg(until))
	return id, wrap(err, "reserve a sign-in failure")
}

// SettleFailure implements library.Tx. A reservation already swept away
// (by a pause, which forgets the key's failures) is not an error.
func (t *tx) SettleFailure(id int64) error {
	_, err := t.exec(`UPDATE signin_failures SET pending_until = NULL WHERE id = $1`, id)
	return wrap(err, "settle failure %d", id)
}

// DeleteFailure implements library.Tx. A failure already swept away is not
// an error.
func (t *tx) DeleteFailure(id int64) error {
	_, err := t.exec(`DELETE FROM signin_failures WHERE id = $1`, id)
	return wrap(err, "delete failure %d", id)
}

// CountFailures implements library.Tx: settled failures only.
func (t *tx) CountFailures(key string, since time.Time) (int, error) {
	n, err := t.count(`SELECT COUNT(*) FROM signin_failures WHERE key = $1 AND at >= $2 AND pending_until IS NULL`,
		key, timeBound(since))
	return n, wrap(err, "count sign-in failures")
}

// CountAttempts implements library.Tx, in one round trip. The index on
// (key, at) narrows it to the key's rows: the failures of one window.
func (t *tx) CountAttempts(key string, since, now time.Time) (failures, reservations int, err error) {
	err = t.queryRow(`SELECT
    COUNT(CASE WHEN pending_until IS NULL AND at >= $2 THEN 1 END),
    COUNT(CASE WHEN pending_until > $3 THEN 1 END)
FROM signin_failures WHERE key = $1`, key, timeBound(since), timeBound(now)).Scan(&failures, &reservations)
	return failures, reservations, wrap(err, "count sign-in attempts")
}

// DeleteOldFailures implements library.Tx: failures before the instant, and
// locks that ended before it.
func (t *tx) DeleteOldFailures(before time.Time) error {
	if _, err := t.exec(`DELETE FROM signin_failures WHERE at < $1`, timeBound(before)); err != nil {
		return wrap(err, "delete old failures")
	}
	_, err := t.exec(`DELETE FROM signin_locks WHERE locked_until < $1`, timeBound(before))
	return wrap(err, "delete old locks")
}
