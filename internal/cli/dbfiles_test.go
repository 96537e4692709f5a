package cli_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// ownerOnlyFiles fails the test unless every file named exists and is
// -rw------- (the owner's alone).
func ownerOnlyFiles(t *testing.T, when string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", when, err)
			continue
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: %s is %v, want -rw-------", when, filepath.Base(p), got)
		}
	}
}

// TestDatabaseFilesOwnerOnlyCommands runs carrel migrate, carrel demo,
// carrel serve and carrel serve --demo on fresh SQLite paths under the
// 022 umask most services get, and proves the database, its WAL and
// shared-memory files (while serve runs, when all three exist, and after
// it stops) and the secret key file are the owner's alone; and that a
// library an earlier Carrel left readable by everyone is tightened when
// serve opens it, with a notice on standard error.
func TestDatabaseFilesOwnerOnlyCommands(t *testing.T) {
	bin := carrelBinary(t)
	old := syscall.Umask(0o022) // the commands below inherit it
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	files := func(db string) []string { return []string{db, db + "-wal", db + "-shm"} }

	if code, _, stderr := runCarrel(t, bin, "", "migrate", "--db", at("migrated.db")); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	ownerOnlyFiles(t, "after carrel migrate", at("migrated.db"), at("migrated.key"))
	if code, _, stderr := runCarrel(t, bin, "", "demo", "--db", at("demo.db")); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	ownerOnlyFiles(t, "after carrel demo", at("demo.db"))

	for _, run := range []struct {
		db   string
		args []string
	}{{at("served.db"), nil}, {at("served-demo.db"), []string{"--demo"}}} {
		srv := startServeProcess(t, bin, append([]string{"--db", run.db}, run.args...)...)
		ownerOnlyFiles(t, "while carrel serve "+strings.Join(run.args, " ")+" runs", append(files(run.db), strings.TrimSuffix(run.db, ".db")+".key")...)
		if err := srv.stop(t); err != nil {
			t.Fatal(err)
		}
		for _, p := range files(run.db) {
			if _, err := os.Stat(p); err == nil {
				ownerOnlyFiles(t, "after carrel serve stopped", p)
			}
		}
	}

	// A library as an earlier Carrel left it.
	for _, p := range files(at("served.db")) {
		if err := os.Chmod(p, 0o644); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	srv := startServeProcess(t, bin, "--db", at("served.db"))
	ownerOnlyFiles(t, "an old library while carrel serve runs", files(at("served.db"))...)
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	// The -wal and -shm files are named too when a stop left them.
	if out := string(srv.output()); !strings.Contains(out, "served.db (-rw-r--r--)") ||
		!strings.Contains(out, "could be read by other users of this computer; Carrel made them the owner's alone") {
		t.Errorf("serve did not say it tightened the old library's file:\n%s", out)
	}
	var loose []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil && fi.Mode().Perm()&0o077 != 0 {
				loose = append(loose, d.Name())
			}
		}
		return nil
	})
	if len(loose) > 0 {
		t.Errorf("files others can read in the library's directory: %v", loose)
	}
}
