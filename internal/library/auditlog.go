package library

import (
	"context"
	"strings"
	"time"
)

// AuditFilter chooses entries of the audit log. Every field left at its
// zero value matches everything.
type AuditFilter struct {
	PatronID int64
	// Actor matches the actor exactly: "staff:USERNAME", "patron", "cli",
	// "system", "sip2:LOGIN".
	Actor string
	// Action matches the action exactly ("pin.reset"), or every action it
	// begins when it ends in a dot ("pin." for pin.reset, pin.change...).
	Action string
	// From and Until bound the time: From <= At < Until.
	From, Until time.Time
	// BeforeID, when not 0, gives the page after the entry with that ID:
	// the entries older than it (AuditPage.Next).
	BeforeID int64
	// Limit is the page size: 0 means DefaultPageSize; at most MaxPageSize.
	Limit int
}

// AuditPage is a page of the audit log, newest first.
type AuditPage struct {
	Entries []AuditEntry
	// Next is the BeforeID of the next (older) page; 0 when this is the last.
	Next int64
}

// SearchAudit returns a page of the audit log entries that match f, newest
// first. Any staff account may read the log; nothing can change it.
func (s *Service) SearchAudit(ctx context.Context, by Actor, f AuditFilter) (AuditPage, error) {
	if err := by.staffOnly(); err != nil {
		return AuditPage{}, err
	}
	f.Actor, f.Action = strings.TrimSpace(f.Actor), strings.TrimSpace(f.Action)
	if !f.From.IsZero() && !f.Until.IsZero() && !f.From.Before(f.Until) {
		return AuditPage{}, Errorf(EINVALID, "the end of the period must be after its start")
	}
	limit := pageLimit(f.Limit)
	f.Limit = limit + 1
	var page AuditPage
	err := s.store.View(ctx, func(tx Tx) error {
		entries, err := tx.SearchAudit(f)
		if len(entries) > limit {
			entries = entries[:limit]
			page.Next = entries[limit-1].ID
		}
		page.Entries = entries
		return err
	})
	return page, err
}
