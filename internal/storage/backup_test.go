package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// TestBackup backs up a SQLite library while a write transaction is open
// on it, and checks that the backup is a Carrel database with the same
// rows, and without the rows not yet committed.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	src, _ := demoLibrary(t, filepath.Join(t.TempDir(), "carrel.db"), time.Now())
	backup := filepath.Join(t.TempDir(), "backup.db")

	// A writer in the middle of a transaction: the backup neither waits
	// for it nor sees its rows.
	written, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- src.Update(ctx, func(tx library.Tx) error {
			p := library.Patron{Barcode: "20259999", Category: "student", PIN: library.PINRecord{Kind: library.PINNone}}
			if err := tx.CreatePatron(&p); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	<-written
	err := src.Backup(ctx, backup)
	close(release)
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	b := openDB(t, backup) // at this Carrel's schema, or it fails
	var ve *storage.VerifyError
	if err := storage.Verify(ctx, src, b); !errors.As(err, &ve) || len(ve.Diffs) != 1 ||
		ve.Diffs[0].Table != "patrons" || ve.Diffs[0].TargetRows != ve.Diffs[0].SourceRows-1 {
		t.Fatalf("Verify(source, backup): %v; want the one patron committed after the backup missing", err)
	}
	view(t, b, func(tx library.Tx) error {
		_, err := tx.PatronByBarcode("20259999")
		wantCode(t, err, library.ENOTFOUND)
		return nil
	})
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, %v; want it readable by its owner only", fi, err)
	}

	// A second backup of the same moment is the same library.
	again := filepath.Join(t.TempDir(), "again.db")
	if err := src.Backup(ctx, again); err != nil {
		t.Fatal(err)
	}
	if err := storage.Verify(ctx, src, openDB(t, again)); err != nil {
		t.Errorf("Verify(source, backup): %v", err)
	}
}

// TestBackupRefuses checks that a backup never overwrites a file and is
// refused on PostgreSQL with a pointer to pg_dump.
func TestBackupRefuses(t *testing.T) {
	ctx := context.Background()
	src := storagetest.New(t)
	existing := filepath.Join(t.TempDir(), "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := src.Backup(ctx, existing)
	if err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("Backup over a file: %v; want a refusal", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("the existing file now holds %q", b)
	}
	if err := src.Backup(ctx, filepath.Join(t.TempDir(), "no", "such", "dir.db")); err == nil {
		t.Error("Backup into a missing folder: no error")
	}

	pg := storagetest.NewPostgres(t)
	path := filepath.Join(t.TempDir(), "pg.db")
	err = pg.Backup(ctx, path)
	if !errors.Is(err, storage.ErrBackupPostgres) || !strings.Contains(err.Error(), "pg_dump --format=custom") {
		t.Errorf("Backup on PostgreSQL: %v; want ErrBackupPostgres pointing to pg_dump", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Backup on PostgreSQL left a file: %v", err)
	}
}
