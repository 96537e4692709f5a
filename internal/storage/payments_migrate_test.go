package storage

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestPaymentsMigrationKeepsTheLedger proves the migration that gives
// payments their method, receipt and account keeps a ledger written
// before it, ids and all, on both databases: its payments, whose method
// nobody recorded, become "unrecorded" with no receipt; its charges and
// waivers stay as they were; and the balance does not change.
func TestPaymentsMigrationKeepsTheLedger(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		all := db.migrations
		at := slices.IndexFunc(all, func(m migration) bool { return m.name == "payments" })
		if at < 0 {
			t.Fatal("no migration named payments")
		}
		db.migrations = all[:at]
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		now := timeArg(time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC))
		for _, q := range []string{
			`INSERT INTO patrons (id, barcode, category, name, pin_kind, created_at, updated_at) VALUES (1, '20240001', 'student', 'Chan', 'preset', $1, $1)`,
			`INSERT INTO fines (id, patron_id, kind, amount_cents, note, created_at) VALUES (7, 1, 'charge', 1250, 'overdue', $1)`,
			`INSERT INTO fines (id, patron_id, kind, amount_cents, note, created_at) VALUES (8, 1, 'payment', 500, 'SIP2 payment type 00, fee type 01, transaction "tx-42"', $1)`,
			`INSERT INTO fines (id, patron_id, kind, amount_cents, note, created_at) VALUES (9, 1, 'payment', 500, 'SIP2 payment type 00, fee type 01, transaction "tx-42"', $1)`,
			`INSERT INTO fines (id, patron_id, kind, amount_cents, note, created_at) VALUES (10, 1, 'waiver', 100, 'goodwill', $1)`,
		} {
			if _, err := db.write.ExecContext(ctx, q, now); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db.migrations = all
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		rows, err := db.read.QueryContext(ctx, `SELECT id, kind, amount_cents, method, receipt, taken_by, note FROM fines ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var id, cents int64
			var kind, method, receipt, takenBy, note string
			if err := rows.Scan(&id, &kind, &cents, &method, &receipt, &takenBy, &note); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmtRow(id, kind, cents, method, receipt, takenBy, note))
		}
		want := []string{
			fmtRow(7, "charge", 1250, "", "", "", "overdue"),
			fmtRow(8, "payment", 500, "unrecorded", "", "", `SIP2 payment type 00, fee type 01, transaction "tx-42"`),
			fmtRow(9, "payment", 500, "unrecorded", "", "", `SIP2 payment type 00, fee type 01, transaction "tx-42"`),
			fmtRow(10, "waiver", 100, "", "", "", "goodwill"),
		}
		if !slices.Equal(got, want) {
			t.Errorf("ledger after the migration:\n got %q\nwant %q", got, want)
		}
		// The copy list knows the new columns.
		if err := db.CheckCopyTables(ctx); err != nil {
			t.Error(err)
		}
	})
}

// fmtRow writes a ledger row for comparison.
func fmtRow(id int64, kind string, cents int64, method, receipt, takenBy, note string) string {
	return fmt.Sprintf("%d %s %d method=%q receipt=%q taken_by=%q note=%q", id, kind, cents, method, receipt, takenBy, note)
}
