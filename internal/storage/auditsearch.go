package storage

import (
	"strconv"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// SearchAudit implements library.Tx. The filter becomes a WHERE clause
// from where and args slices; newest first by id, which grows with time.
func (t *tx) SearchAudit(f library.AuditFilter) ([]library.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1))
	}
	if f.PatronID != 0 {
		add("patron_id = ?", f.PatronID)
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		add(`action LIKE ? ESCAPE '\'`, escapeLike(f.Action)+"%")
	case f.Action != "":
		add("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= ?", timeBound(f.From))
	}
	if !f.Until.IsZero() {
		add("at < ?", timeBound(f.Until))
	}
	if f.BeforeID != 0 {
		add("id < ?", f.BeforeID)
	}
	// The patron's barcode comes from a subquery rather than a join, so the
	// filter's column names stay unambiguous.
	query := `SELECT ` + auditColumns + `, (SELECT barcode FROM patrons WHERE patrons.id = audit_log.patron_id) FROM audit_log`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	query += ` ORDER BY id DESC LIMIT $` + strconv.Itoa(len(args))
	return queryAll(t, query, scanAuditWithBarcode, "search the audit log", args...)
}

// scanAuditWithBarcode reads a row of auditColumns followed by the
// patron's barcode (NULL when the entry is about no patron).
func scanAuditWithBarcode(s scanner) (library.AuditEntry, error) {
	var e library.AuditEntry
	err := s.Scan(&e.ID, timeCol{&e.At}, &e.Actor, idCol{&e.PatronID}, &e.Action, &e.Detail, &e.Addr, textCol{&e.PatronBarcode})
	return e, err
}
