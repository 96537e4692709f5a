package storage

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/carrel-library/carrel/internal/storage/pgtest"
)

// openTemp opens a database file in a temporary directory, unmigrated. The
// tests in package storage cannot use storagetest, which imports storage.
func openTemp(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "carrel.db")
	return openTarget(t, path), path
}

// openTarget opens the database at target, unmigrated, until the test ends.
func openTarget(t *testing.T, target string) *DB {
	t.Helper()
	db, err := Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// eachDB runs fn as a subtest on a fresh, empty, unmigrated database of
// each kind: a SQLite file, and a PostgreSQL schema when
// CARREL_TEST_POSTGRES is set.
func eachDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Run("sqlite", func(t *testing.T) {
		db, _ := openTemp(t)
		fn(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, openTarget(t, pgtest.URL(t)))
	})
}

// tables lists the database's own tables.
func tables(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), db.d.userTablesQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

func wantState(t *testing.T, db *DB, wantCurrent, wantLatest int) {
	t.Helper()
	current, latest, err := db.SchemaState(context.Background())
	if err != nil || current != wantCurrent || latest != wantLatest {
		t.Fatalf("SchemaState = %d, %d, %v; want %d, %d, nil", current, latest, err, wantCurrent, wantLatest)
	}
}

func wantSchemaError(t *testing.T, err error, wantMessage string) {
	t.Helper()
	var se *SchemaError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), wantMessage) {
		t.Fatalf("error = %v, want a *SchemaError saying %q", err, wantMessage)
	}
}

func TestMigrateFreshAndAgain(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		latest := len(db.migrations)
		if latest == 0 {
			t.Fatal("no migrations embedded")
		}
		wantState(t, db, 0, latest)
		wantSchemaError(t, db.CheckSchema(ctx), "run carrel migrate")

		applied, err := db.Migrate(ctx)
		if err != nil || applied != latest {
			t.Fatalf("Migrate = %d, %v; want %d, nil", applied, err, latest)
		}
		wantState(t, db, latest, latest)
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatalf("CheckSchema after Migrate: %v", err)
		}

		applied, err = db.Migrate(ctx)
		if err != nil || applied != 0 {
			t.Fatalf("second Migrate = %d, %v; want 0, nil", applied, err)
		}
		var name string
		if err := db.read.QueryRowContext(ctx, `SELECT name FROM schema_migrations WHERE version = 1`).Scan(&name); err != nil || name != "init" {
			t.Fatalf("schema_migrations row 1: %q, %v", name, err)
		}
	})
}

func TestRefuseNewerSchema(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		latest := len(db.migrations)
		if _, err := db.write.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (999, 'future', '')`); err != nil {
			t.Fatal(err)
		}
		want := "database schema version 999 is newer than this Carrel (knows up to " + strconv.Itoa(latest) + "): upgrade Carrel"
		err := db.CheckSchema(ctx)
		if err == nil || err.Error() != want {
			t.Fatalf("CheckSchema = %v, want %q", err, want)
		}
		_, err = db.Migrate(ctx)
		wantSchemaError(t, err, "upgrade Carrel")
	})
}

func TestRefuseOlderSchema(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		// This binary now knows one more migration than the database has.
		db.migrations = append(db.migrations, migration{version: len(db.migrations) + 1, name: "shelves",
			sql: `CREATE TABLE shelves (id INTEGER PRIMARY KEY, name TEXT NOT NULL); CREATE INDEX shelves_by_name ON shelves (name);`})
		latest := len(db.migrations)
		wantSchemaError(t, db.CheckSchema(ctx), "database schema version "+strconv.Itoa(latest-1)+" is older than this Carrel (needs "+strconv.Itoa(latest)+"): run carrel migrate")

		applied, err := db.Migrate(ctx)
		if err != nil || applied != 1 {
			t.Fatalf("Migrate = %d, %v; want 1, nil", applied, err)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// A migration that fails half-way leaves nothing of itself behind.
func TestFailedMigrationRollsBack(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		before := len(db.migrations)
		db.migrations = append(db.migrations, migration{version: before + 1, name: "broken",
			sql: `CREATE TABLE half (id INTEGER PRIMARY KEY); INSERT INTO nowhere VALUES (1);`})
		if _, err := db.Migrate(ctx); err == nil || !strings.Contains(err.Error(), "broken") {
			t.Fatalf("Migrate = %v, want an error naming the migration", err)
		}
		wantState(t, db, before, before+1)
		if slices.Contains(tables(t, db), "half") {
			t.Fatal("the failed migration's table is still there")
		}
	})
}

func TestRefuseForeignDatabase(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if _, err := db.write.ExecContext(ctx, `CREATE TABLE customers (id INTEGER PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		wantSchemaError(t, db.CheckSchema(ctx), "not a Carrel database or damaged")
		_, err := db.Migrate(ctx)
		wantSchemaError(t, err, "not a Carrel database or damaged")
		if slices.Contains(tables(t, db), "patrons") {
			t.Fatal("Migrate added Carrel's tables to someone else's database")
		}
	})
}

func TestRefuseDamagedRecord(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		db.migrations = append(db.migrations, migration{version: len(db.migrations) + 1, name: "extra", sql: `CREATE TABLE extra (id INTEGER PRIMARY KEY)`})
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.write.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 1`); err != nil {
			t.Fatal(err)
		}
		wantSchemaError(t, db.CheckSchema(ctx), "not a Carrel database or damaged")
	})
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []migration
		wantErr string
	}{
		{"in version order", fstest.MapFS{
			"m/0002_loans.sql": file("B"), "m/0001_init.sql": file("A"), "m/README": file("not SQL"),
		}, []migration{{1, "init", "A"}, {2, "loans", "B"}}, ""},
		{"gap", fstest.MapFS{"m/0001_init.sql": file("A"), "m/0003_x.sql": file("C")}, nil, "expected version 2"},
		{"duplicate", fstest.MapFS{"m/0001_init.sql": file("A"), "m/1_again.sql": file("B")}, nil, "expected version 2"},
		{"bad name", fstest.MapFS{"m/init.sql": file("A")}, nil, "NNNN_name.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadMigrations(tt.files, "m")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("migration %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
