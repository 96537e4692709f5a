package storage

import (
	"context"
	"slices"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// TestSIPAccountPolicyMigration proves the migration that gives SIP2
// accounts their policy, on an account made before it: the account then
// requires the PIN (secure by default) and keeps UTF-8, what Carrel spoke
// until then.
func TestSIPAccountPolicyMigration(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		all := db.migrations
		i := slices.IndexFunc(all, func(m migration) bool { return m.name == "sip_account_policy" })
		if i < 0 {
			t.Fatal("no migration sip_account_policy")
		}
		db.migrations = all[:i]
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.write.ExecContext(ctx, `INSERT INTO sip_accounts (login, institution, location, password_hash, login_required, created_at)
VALUES ('gate-1', 'HKCT', '', 'h', $1, '2025-03-01T09:00:00.000000Z')`, false); err != nil {
			t.Fatal(err)
		}
		db.migrations = all
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		err := db.View(ctx, func(tx library.Tx) error {
			a, err := tx.SIPAccountByLogin("gate-1")
			if err != nil {
				return err
			}
			if !a.RequirePIN || a.Encoding != "utf-8" || a.LoginRequired {
				t.Errorf("account after the migration: %+v, want require PIN and utf-8", a)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
