package storage

import (
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

const staffColumns = `id, username, name, role, password_hash, password_set_at, totp_secret,
	totp_last_step, disabled_at, created_at`

// scanStaff reads a row of staffColumns.
func scanStaff(s scanner) (library.Staff, error) {
	var st library.Staff
	var role string
	err := s.Scan(&st.ID, &st.Username, &st.Name, &role, &st.PasswordHash, timeCol{&st.PasswordSetAt},
		textCol{&st.TOTPSecret}, &st.TOTPLastStep, timeCol{&st.DisabledAt}, timeCol{&st.CreatedAt})
	st.Role = library.Role(role)
	return st, err
}

// CreateStaff implements library.Tx.
func (t *tx) CreateStaff(st *library.Staff) error {
	id, err := t.insert(`INSERT INTO staff (username, name, role, password_hash, password_set_at, totp_secret,
	totp_last_step, disabled_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		st.Username, st.Name, string(st.Role), st.PasswordHash, timeArg(st.PasswordSetAt), textArg(st.TOTPSecret),
		st.TOTPLastStep, timeArg(st.DisabledAt), timeArg(st.CreatedAt))
	if err == nil {
		st.ID = id
	}
	return wrap(err, "create staff account")
}

// StaffByID implements library.Tx.
func (t *tx) StaffByID(id int64) (library.Staff, error) {
	st, err := scanStaff(t.queryRow(`SELECT `+staffColumns+` FROM staff WHERE id = $1`, id))
	return st, wrap(err, "staff account %d", id)
}

// StaffByUsername implements library.Tx.
func (t *tx) StaffByUsername(username string) (library.Staff, error) {
	st, err := scanStaff(t.queryRow(`SELECT `+staffColumns+` FROM staff WHERE username = $1`, username))
	// The username stays out of the message: it may be a password typed in
	// the wrong field.
	return st, wrap(err, "staff account by username")
}

// UpdateStaff implements library.Tx.
func (t *tx) UpdateStaff(st library.Staff) error {
	res, err := t.exec(`UPDATE staff SET name = $2, role = $3, password_hash = $4, password_set_at = $5,
	totp_secret = $6, totp_last_step = $7, disabled_at = $8
WHERE id = $1`, st.ID, st.Name, string(st.Role), st.PasswordHash, timeArg(st.PasswordSetAt),
		textArg(st.TOTPSecret), st.TOTPLastStep, timeArg(st.DisabledAt))
	return affectedOne(res, err, "update staff account %d", st.ID)
}

// ListStaff implements library.Tx.
func (t *tx) ListStaff() ([]library.Staff, error) {
	return queryAll(t, `SELECT `+staffColumns+` FROM staff ORDER BY username`, scanStaff, "list staff")
}

// KeyCheck implements library.Tx.
func (t *tx) KeyCheck(name string) (string, error) {
	var sealed string
	err := t.queryRow(`SELECT sealed FROM key_checks WHERE name = $1`, name).Scan(&sealed)
	return sealed, wrap(err, "key check %q", name)
}

// SetKeyCheck implements library.Tx.
func (t *tx) SetKeyCheck(name, sealed string) error {
	_, err := t.exec(`INSERT INTO key_checks (name, sealed) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed`, name, sealed)
	return wrap(err, "set key check %q", name)
}

// DeleteKeyCheck implements library.Tx.
func (t *tx) DeleteKeyCheck(name string) error {
	_, err := t.exec(`DELETE FROM key_checks WHERE name = $1`, name)
	return wrap(err, "delete key check %q", name)
}

const staffSessionColumns = `id, token_hash, staff_id, stage, csrf_token, created_at, last_seen_at, expires_at`

// CreateStaffSession implements library.Tx.
func (t *tx) CreateStaffSession(s *library.StaffSession) error {
	id, err := t.insert(`INSERT INTO staff_sessions (token_hash, staff_id, stage, csrf_token, created_at, last_seen_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.TokenHash, s.StaffID, string(s.Stage), s.CSRFToken,
		timeArg(s.CreatedAt), timeArg(s.LastSeenAt), timeArg(s.ExpiresAt))
	if err == nil {
		s.ID = id
	}
	return wrap(err, "create session for staff account %d", s.StaffID)
}

// StaffSessionByTokenHash implements library.Tx. It looks only among staff
// sessions: a patron's session token is never found here.
func (t *tx) StaffSessionByTokenHash(hash []byte) (library.StaffSession, error) {
	var s library.StaffSession
	var stage string
	err := t.queryRow(`SELECT `+staffSessionColumns+` FROM staff_sessions WHERE token_hash = $1`, hash).Scan(
		&s.ID, &s.TokenHash, &s.StaffID, &stage, &s.CSRFToken, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.ExpiresAt})
	s.Stage = library.StaffStage(stage)
	return s, wrap(err, "staff session")
}

// TouchStaffSession implements library.Tx.
func (t *tx) TouchStaffSession(id int64, at time.Time) error {
	res, err := t.exec(`UPDATE staff_sessions SET last_seen_at = $2 WHERE id = $1`, id, timeArg(at))
	return affectedOne(res, err, "touch staff session %d", id)
}

// DeleteStaffSession implements library.Tx; a session already gone is not an error.
func (t *tx) DeleteStaffSession(id int64) error {
	_, err := t.exec(`DELETE FROM staff_sessions WHERE id = $1`, id)
	return wrap(err, "delete staff session %d", id)
}

// DeleteStaffSessions implements library.Tx.
func (t *tx) DeleteStaffSessions(staffID int64) error {
	_, err := t.exec(`DELETE FROM staff_sessions WHERE staff_id = $1`, staffID)
	return wrap(err, "delete sessions of staff account %d", staffID)
}

// DeleteStaleStaffSessions implements library.Tx.
func (t *tx) DeleteStaleStaffSessions(idleBefore, now time.Time) (int, error) {
	res, err := t.exec(`DELETE FROM staff_sessions WHERE last_seen_at < $1 OR expires_at < $2`,
		timeBound(idleBefore), timeBound(now))
	if err != nil {
		return 0, wrap(err, "delete stale staff sessions")
	}
	n, err := res.RowsAffected()
	return int(n), wrap(err, "delete stale staff sessions")
}

// queryAll runs a query and scans every row it returns.
func queryAll[T any](t *tx, query string, scan func(scanner) (T, error), op string, args ...any) ([]T, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, wrap(err, "%s", op)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrap(err, "%s", op)
		}
		out = append(out, v)
	}
	return out, wrap(rows.Err(), "%s", op)
}
