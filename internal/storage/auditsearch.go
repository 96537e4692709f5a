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
	query := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	query += ` ORDER BY id DESC LIMIT $` + strconv.Itoa(len(args))
	return queryAll(t, query, scanAudit, "search the audit log", args...)
}
