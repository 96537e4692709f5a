package storage_test

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

func TestAudit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		p := addPatron(t, db, "20240001")
		entries := []library.AuditEntry{
			{At: at(1, 9, 0), Actor: "import", PatronID: p.ID, Action: "patron.create"},
			{At: at(1, 9, 0), Actor: "system", Action: "sessions.sweep", Detail: "3 removed"},
			{At: at(2, 9, 0), Actor: "staff:mary", PatronID: p.ID, Action: "pin.reset", Detail: "temporary PIN"},
			{Actor: "patron", PatronID: p.ID, Action: "signin"},
		}
		update(t, db, func(tx library.Tx) error {
			for i := range entries {
				if err := tx.AddAudit(&entries[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if entries[3].At.IsZero() {
			t.Fatal("AddAudit did not date an undated entry")
		}
		entries[3].At = entries[3].At.UTC().Truncate(1000)
		tests := []struct {
			patronID int64
			limit    int
			want     []library.AuditEntry
		}{
			{p.ID, 10, []library.AuditEntry{entries[3], entries[2], entries[0]}},
			{p.ID, 2, []library.AuditEntry{entries[3], entries[2]}},
			{p.ID, 0, nil},
			{999, 10, nil},
		}
		for _, tt := range tests {
			view(t, db, func(tx library.Tx) error {
				got, err := tx.PatronAudit(tt.patronID, tt.limit)
				diff(t, "PatronAudit", got, tt.want)
				return err
			})
		}
	})
}
