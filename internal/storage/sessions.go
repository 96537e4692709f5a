package storage

import (
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// CreateSession implements library.Tx.
func (t *tx) CreateSession(s *library.Session) error {
	id, err := t.insert(`INSERT INTO sessions (token_hash, patron_id, csrf_token, created_at, last_seen_at, expires_at, public_id, device, preset_proved)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, s.TokenHash, s.PatronID, s.CSRFToken, timeArg(s.CreatedAt), timeArg(s.LastSeenAt), timeArg(s.ExpiresAt),
		s.PublicID, s.Device, s.PresetProved)
	if err == nil {
		s.ID = id
	}
	return wrap(err, "create session for patron %d", s.PatronID)
}

// SessionByTokenHash implements library.Tx.
func (t *tx) SessionByTokenHash(hash []byte) (library.Session, error) {
	s, err := scanSession(t.queryRow(`SELECT `+sessionColumns+` FROM sessions WHERE token_hash = $1`, hash))
	// The hash itself stays out of the message: it is as good as the token.
	return s, wrap(err, "session")
}

// sessionColumns are the columns scanSession reads, in its order.
const sessionColumns = `id, token_hash, patron_id, csrf_token, created_at, last_seen_at, expires_at, public_id, device, preset_proved`

func scanSession(sc scanner) (library.Session, error) {
	var s library.Session
	err := sc.Scan(&s.ID, &s.TokenHash, &s.PatronID, &s.CSRFToken,
		timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.ExpiresAt}, &s.PublicID, &s.Device, &s.PresetProved)
	return s, err
}

// PatronSessions implements library.Tx.
func (t *tx) PatronSessions(patronID int64) ([]library.Session, error) {
	return queryAll(t, `SELECT `+sessionColumns+` FROM sessions WHERE patron_id = $1 ORDER BY last_seen_at DESC, id DESC`,
		scanSession, "sessions of a patron", patronID)
}

// DeletePatronSession implements library.Tx: one statement matches the
// public id and the patron together, so another patron's session is
// left alone by the same query, in the same time, as a missing one.
func (t *tx) DeletePatronSession(patronID int64, publicID string) (bool, error) {
	res, err := t.exec(`DELETE FROM sessions WHERE patron_id = $1 AND public_id = $2`, patronID, publicID)
	if err != nil {
		return false, wrap(err, "end a session of patron %d", patronID)
	}
	n, err := res.RowsAffected()
	return n > 0, wrap(err, "end a session of patron %d", patronID)
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
