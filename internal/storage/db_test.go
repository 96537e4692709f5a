package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

func migrated(t *testing.T) (*DB, string) {
	t.Helper()
	db, path := openTemp(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// The pragmas are in the DSN, so every connection the pools open has them,
// not only the first one.
func TestPragmasOnPooledConnections(t *testing.T) {
	ctx := context.Background()
	db, _ := migrated(t)
	tests := []struct {
		name string
		pool *sql.DB
		want map[string]string
	}{
		{"writer", db.write, map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000", "query_only": "0"}},
		{"reader", db.read, map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000", "query_only": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Hold several connections at once so that the pool has to open new ones.
			var conns []*sql.Conn
			for range min(3, tt.pool.Stats().MaxOpenConnections) {
				c, err := tt.pool.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
			}
			for i, c := range conns {
				for pragma, want := range tt.want {
					var got string
					if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, pragma, got, want)
					}
				}
				c.Close()
			}
		})
	}
}

func TestDataSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	db, path := migrated(t)
	p := library.Patron{Barcode: "20240001", PIN: library.PINRecord{Kind: library.PINPreset}}
	if err := db.Update(ctx, func(tx library.Tx) error { return tx.CreatePatron(&p) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(tx library.Tx) error {
		got, err := tx.PatronByBarcode("20240001")
		if got.ID != p.ID {
			t.Errorf("patron after reopen = %+v, want ID %d", got, p.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func countPatrons(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	err := db.View(context.Background(), func(tx library.Tx) error {
		var err error
		n, err = tx.CountPatrons()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUpdateRollsBack(t *testing.T) {
	ctx := context.Background()
	db, _ := migrated(t)
	stop := library.Errorf(library.EREFUSED, "limit reached")
	err := db.Update(ctx, func(tx library.Tx) error {
		for _, b := range []string{"1", "2"} {
			if err := tx.CreatePatron(&library.Patron{Barcode: b, PIN: library.PINRecord{Kind: library.PINNone}}); err != nil {
				return err
			}
		}
		return stop
	})
	if err != stop {
		t.Fatalf("Update = %v, want fn's own error unchanged", err)
	}
	if n := countPatrons(t, db); n != 0 {
		t.Fatalf("%d patrons after a failed Update, want 0", n)
	}

	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		db.Update(ctx, func(tx library.Tx) error {
			tx.CreatePatron(&library.Patron{Barcode: "3", PIN: library.PINRecord{Kind: library.PINNone}})
			panic("bug")
		})
	}()
	if n := countPatrons(t, db); n != 0 {
		t.Fatalf("%d patrons after a panicking Update, want 0", n)
	}
	// The one write connection is free again.
	if err := db.Update(ctx, func(tx library.Tx) error {
		return tx.CreatePatron(&library.Patron{Barcode: "4", PIN: library.PINRecord{Kind: library.PINNone}})
	}); err != nil {
		t.Fatal(err)
	}
}

func TestViewIsReadOnly(t *testing.T) {
	db, _ := migrated(t)
	err := db.View(context.Background(), func(tx library.Tx) error {
		return tx.CreatePatron(&library.Patron{Barcode: "1", PIN: library.PINRecord{Kind: library.PINNone}})
	})
	if err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("write in View = %v, want a read-only error", err)
	}
}

func TestOpenRefusesUnusablePaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "a?b.db"} {
		if db, err := Open(context.Background(), path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

func TestErrorsKeepTheirCause(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	create := func(tx library.Tx) error {
		return tx.CreatePatron(&library.Patron{Barcode: "1", PIN: library.PINRecord{Kind: library.PINNone}})
	}
	if err := db.Update(ctx, create); err != nil {
		t.Fatal(err)
	}
	err := db.Update(ctx, create)
	var le *library.Error
	if !errors.As(err, &le) || le.Code != library.ECONFLICT || !strings.Contains(err.Error(), "patrons.barcode") {
		t.Fatalf("duplicate = %v, want ECONFLICT naming patrons.barcode", err)
	}
	t.Logf("duplicate barcode: %v", err)
}

func TestCancelledUpdateKeepsNothing(t *testing.T) {
	db, _ := migrated(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := db.Update(ctx, func(tx library.Tx) error {
		if err := tx.CreatePatron(&library.Patron{Barcode: "1", PIN: library.PINRecord{Kind: library.PINNone}}); err != nil {
			return err
		}
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update = %v, want context.Canceled", err)
	}
	if n := countPatrons(t, db); n != 0 {
		t.Fatalf("%d patrons after a cancelled Update, want 0", n)
	}
}
