// Package storagetest gives tests a real, fresh, migrated Carrel database,
// on SQLite or PostgreSQL. Tests of storage and of every package above it
// use it instead of mocks.
package storagetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/pgtest"
)

// New opens a fresh SQLite database in t's temporary directory, applies
// every migration, and closes it when the test ends.
func New(t testing.TB) *storage.DB {
	t.Helper()
	return Open(t, filepath.Join(t.TempDir(), "carrel.db"))
}

// NewPostgres opens a fresh schema of the PostgreSQL database named by
// CARREL_TEST_POSTGRES, applies every migration, and drops it when the test
// ends. Without that variable the test is skipped with a message.
func NewPostgres(t testing.TB) *storage.DB {
	t.Helper()
	return Open(t, pgtest.URL(t))
}

// Open opens the database at target, applies every migration, and closes
// it when the test ends.
func Open(t testing.TB, target string) *storage.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, target)
	if err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("storagetest: %v", err)
		}
	})
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	return db
}

// Targets returns the kinds of database a test can run on, by name, each
// with a function that makes a fresh, empty one and returns its --db target.
func Targets() []Target {
	return []Target{
		{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "carrel.db") }},
		{"postgres", func(t testing.TB) string { return pgtest.URL(t) }},
	}
}

// Target is a kind of database tests run on.
type Target struct {
	Name string
	// Fresh makes a new, empty database (no schema) and returns its target.
	Fresh func(t testing.TB) string
}

// Each runs fn as one subtest per kind of database ("sqlite", "postgres"),
// each on a fresh migrated database. The PostgreSQL subtest skips without
// CARREL_TEST_POSTGRES.
func Each(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	for _, k := range Targets() {
		t.Run(k.Name, func(t *testing.T) {
			fn(t, Open(t, k.Fresh(t)))
		})
	}
}
