package storage

import (
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

const auditColumns = `id, at, actor, patron_id, action, detail, client_addr`

// scanAudit reads a row of auditColumns.
func scanAudit(s scanner) (library.AuditEntry, error) {
	var e library.AuditEntry
	err := s.Scan(&e.ID, timeCol{&e.At}, &e.Actor, idCol{&e.PatronID}, &e.Action, &e.Detail, &e.Addr)
	return e, err
}

// AddAudit implements library.Tx. An entry without a time is dated now.
func (t *tx) AddAudit(e *library.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	id, err := t.insert(`INSERT INTO audit_log (at, actor, patron_id, action, detail, client_addr) VALUES ($1, $2, $3, $4, $5, $6)`,
		timeArg(e.At), e.Actor, idArg(e.PatronID), e.Action, e.Detail, e.Addr)
	if err == nil {
		e.ID = id
	}
	return wrap(err, "add audit entry %q", e.Action)
}

// PatronAudit implements library.Tx. IDs grow with time, so the newest
// entries are those with the highest IDs; the index on (patron_id, id)
// serves the query without sorting. A limit below 1 returns nothing.
func (t *tx) PatronAudit(patronID int64, limit int) ([]library.AuditEntry, error) {
	if limit < 1 {
		return nil, nil
	}
	rows, err := t.query(`SELECT `+auditColumns+`
FROM audit_log WHERE patron_id = $1
ORDER BY id DESC
LIMIT $2`, patronID, limit)
	if err != nil {
		return nil, wrap(err, "audit of patron %d", patronID)
	}
	defer rows.Close()
	var entries []library.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, wrap(err, "audit of patron %d", patronID)
		}
		entries = append(entries, e)
	}
	return entries, wrap(rows.Err(), "audit of patron %d", patronID)
}
