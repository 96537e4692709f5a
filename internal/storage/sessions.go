package storage

import (
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// CreateSession implements library.Tx.
func (t *tx) CreateSession(s *library.Session) error {
	id, err := t.insert(`INSERT INTO sessions (token_hash, patron_id, csrf_token, created_at, last_seen_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)`, s.TokenHash, s.PatronID, s.CSRFToken, timeArg(s.CreatedAt), timeArg(s.LastSeenAt), timeArg(s.ExpiresAt))
	if err == nil {
		s.ID = id
	}
	return wrap(err, "create session for patron %d", s.PatronID)
}

// SessionByTokenHash implements library.Tx.
func (t *tx) SessionByTokenHash(hash []byte) (library.Session, error) {
	var s library.Session
	err := t.queryRow(`SELECT id, token_hash, patron_id, csrf_token, created_at, last_seen_at, expires_at
FROM sessions WHERE token_hash = $1`, hash).Scan(&s.ID, &s.TokenHash, &s.PatronID, &s.CSRFToken,
		timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.ExpiresAt})
	// The hash itself stays out of the message: it is as good as the token.
	return s, wrap(err, "session")
}

// TouchSession implements library.Tx.
func (t *tx) TouchSession(id int64, at time.Time) error {
	res, err := t.exec(`UPDATE sessions SET last_seen_at = $2 WHERE id = $1`, id, timeArg(at))
	return affectedOne(res, err, "touch session %d", id)
}

// DeleteSession implements library.Tx. Deleting a session that is already
// gone (signed out twice, or swept as stale) is not an error.
func (t *tx) DeleteSession(id int64) error {
	_, err := t.exec(`DELETE FROM sessions WHERE id = $1`, id)
	return wrap(err, "delete session %d", id)
}

// DeletePatronSessions implements library.Tx.
func (t *tx) DeletePatronSessions(patronID, exceptID int64) error {
	_, err := t.exec(`DELETE FROM sessions WHERE patron_id = $1 AND id <> $2`, patronID, exceptID)
	return wrap(err, "delete sessions of patron %d", patronID)
}

// DeleteStaleSessions implements library.Tx.
func (t *tx) DeleteStaleSessions(idleBefore, now time.Time) (int, error) {
	res, err := t.exec(`DELETE FROM sessions WHERE last_seen_at < $1 OR expires_at < $2`,
		timeBound(idleBefore), timeBound(now))
	if err != nil {
		return 0, wrap(err, "delete stale sessions")
	}
	n, err := res.RowsAffected()
	return int(n), wrap(err, "delete stale sessions")
}
