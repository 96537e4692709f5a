package storage_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
)

// withUmask runs the rest of the test under the umask most systems give
// a service (022), which leaves a file created 0644 readable by everyone.
func withUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// modes returns the permissions of the database file and of its -wal and
// -shm files, those that exist.
func modes(t *testing.T, path string) map[string]fs.FileMode {
	t.Helper()
	got := map[string]fs.FileMode{}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(path + suffix)
		if err != nil {
			continue
		}
		got[filepath.Base(path+suffix)] = fi.Mode().Perm()
	}
	return got
}

// TestDatabaseFilesOwnerOnly proves that a new SQLite library, its WAL and
// its shared-memory file are the owner's alone under a 022 umask, while it
// is in use and after it is closed, and that a backup's are too: they hold
// patrons' names, email addresses and loans.
func TestDatabaseFilesOwnerOnly(t *testing.T) {
	withUmask(t, 0o022)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "carrel.db")
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	addPatron(t, db, "20240001")
	if n := db.Notice(); n != "" {
		t.Errorf("a new file gave a notice: %q", n)
	}
	open := modes(t, path)
	if len(open) != 3 {
		t.Fatalf("while open: %v, want the file, its -wal and its -shm", open)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for when, got := range map[string]map[string]fs.FileMode{"while open": open, "closed": modes(t, path), "backup": modes(t, backup)} {
		for name, mode := range got {
			if mode != 0o600 {
				t.Errorf("%s: %s is %v, want -rw-------", when, name, mode)
			}
		}
	}
}

// TestDatabaseFilesTightened proves that a library an earlier Carrel left
// readable by everyone (0644, its WAL too) is made the owner's alone when
// it is opened, with a notice for the operator that names the files and
// no personal data, and that the files SQLite makes afterwards follow.
func TestDatabaseFilesTightened(t *testing.T) {
	withUmask(t, 0o022)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "carrel.db")
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	addPatron(t, db, "20240001")
	// As an earlier Carrel left them; the WAL is kept by a reader that
	// stays open, as another process would.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Chmod(path+suffix, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	again, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	notice := again.Notice()
	for _, want := range []string{"carrel.db (-rw-r--r--)", "carrel.db-wal (-rw-r--r--)", "owner's alone"} {
		if !strings.Contains(notice, want) {
			t.Errorf("notice %q does not say %q", notice, want)
		}
	}
	if strings.Contains(notice, "20240001") {
		t.Errorf("notice %q holds a barcode", notice)
	}
	update(t, again, func(tx library.Tx) error {
		p := library.Patron{Barcode: "20240002", Category: "student", PIN: library.PINRecord{Kind: library.PINNone}}
		return tx.CreatePatron(&p)
	})
	db.Close()
	for name, mode := range modes(t, path) {
		if mode != 0o600 {
			t.Errorf("%s is %v after opening, want -rw-------", name, mode)
		}
	}
	// Opened once more, there is nothing left to say.
	third, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if n := third.Notice(); n != "" {
		t.Errorf("a third opening gave a notice: %q", n)
	}
}
