// Package storagetest gives tests a real, fresh, migrated Carrel database.
// Tests of storage and of every package above it use it instead of mocks.
package storagetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/carrel-library/carrel/internal/storage"
)

// New opens a fresh SQLite database in t's temporary directory, applies
// every migration, and closes it when the test ends.
func New(t testing.TB) *storage.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "carrel.db"))
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
