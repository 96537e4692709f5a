package cli_test

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/storage/pgtest"
)

// smallLibrary makes a SQLite library with two patrons and an item, and
// returns its path.
func smallLibrary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "carrel.db")
	if code, _, stderr := carrel(t, "", "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	patrons := writeFile(t, dir, "patrons.csv", "barcode,category,name,email,registered_on,expires_on,hkid\n"+
		"20240001,student,Chan Tai Man,tm.chan@example.edu.hk,2024-09-01,2028-08-31,\n"+
		"20150001,student,Legacy Without HKID,,2015-09-01,2027-08-31,\n")
	items := writeFile(t, dir, "items.csv", "barcode,title,author,call_number,location\nB0001,Call to Arms,Lu Xun,PL2754 .S5,Main Library\n")
	for _, args := range [][]string{{"patrons", patrons}, {"items", items}} {
		if code, _, stderr := carrel(t, "", "import", "--db", db, args[0], args[1]); code != 0 {
			t.Fatalf("import %s: exit %d: %s", args[0], code, stderr)
		}
	}
	return db
}

// wantReimport checks that the library at db holds smallLibrary's patrons,
// by importing them again and finding them unchanged.
func wantReimport(t *testing.T, db string) {
	t.Helper()
	patrons := writeFile(t, t.TempDir(), "patrons.csv", "barcode,category,name,email,registered_on,expires_on,hkid\n"+
		"20240001,student,Chan Tai Man,tm.chan@example.edu.hk,2024-09-01,2028-08-31,\n"+
		"20150001,student,Legacy Without HKID,,2015-09-01,2027-08-31,\n")
	code, stdout, stderr := carrel(t, "", "import", "--db", db, "patrons", patrons)
	if code != 0 || !strings.HasPrefix(stdout, "patrons: 0 added, 0 updated, 2 unchanged\n") {
		t.Errorf("re-import into %s: exit %d, stdout %q, stderr %q; want the copied patrons unchanged", db, code, stdout, stderr)
	}
}

func TestDBCopyCommand(t *testing.T) {
	from := smallLibrary(t)
	to := filepath.Join(t.TempDir(), "copy.db")
	code, stdout, stderr := carrel(t, "", "db", "copy", "--from", from, "--to", to)
	if code != 0 {
		t.Fatalf("db copy: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"Copied " + from + " to " + to + " (schema version ",
		"\n  patrons                  2\n",
		"\n  items                    1\n",
		"\n  sessions                 -  not copied",
		"every table verified",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout %q does not contain %q", stdout, want)
		}
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing (no progress bar off a terminal)", stderr)
	}
	wantReimport(t, to)

	// Again into the same target: refused, and the target is as it was.
	code, stdout, stderr = carrel(t, "", "db", "copy", "--to", to, "--from", from, "--sessions")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "nothing was copied into "+to) ||
		!strings.Contains(stderr, "not empty: it holds 2 patrons, 1 items") {
		t.Errorf("copy into a library: exit %d, stdout %q, stderr %q; want a refusal naming what it holds", code, stdout, stderr)
	}
	wantReimport(t, to)
}

// TestDBCopyCommandPostgres moves a library to PostgreSQL and back, with
// a password in the URL that must appear nowhere.
func TestDBCopyCommandPostgres(t *testing.T) {
	from := smallLibrary(t)
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), "s3cret-pw") // trust authentication ignores it
	pg := u.String()
	code, stdout, stderr := carrel(t, "", "db", "copy", "--from", from, "--to", pg)
	if code != 0 {
		t.Fatalf("db copy to PostgreSQL: exit %d: %s", code, stderr)
	}
	back := filepath.Join(t.TempDir(), "back.db")
	code2, stdout2, stderr2 := carrel(t, "", "db", "copy", "--from", pg, "--to", back)
	if code2 != 0 {
		t.Fatalf("db copy from PostgreSQL: exit %d: %s", code2, stderr2)
	}
	wantReimport(t, back)
	code3, _, stderr3 := carrel(t, "", "db", "copy", "--from", from, "--to", pg)
	if code3 != 1 || !strings.Contains(stderr3, "not empty") {
		t.Errorf("copy into PostgreSQL again: exit %d, stderr %q; want a refusal", code3, stderr3)
	}
	for _, out := range []string{stdout, stderr, stdout2, stderr2, stderr3} {
		if strings.Contains(out, "s3cret") {
			t.Errorf("the password was printed: %q", out)
		}
	}
}

func TestDBCopyCommandUsage(t *testing.T) {
	from := smallLibrary(t)
	dir := t.TempDir()
	to := filepath.Join(dir, "copy.db")
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"db"}, 2, "want copy or backup"},
		{[]string{"db", "restore"}, 2, `unknown subcommand "restore"`},
		{[]string{"db", "copy", "--to", to}, 2, "--from is missing"},
		{[]string{"db", "copy", "--from", from}, 2, "--to is missing"},
		{[]string{"db", "copy", "--from", from, "--to", from}, 2, "--from and --to both name " + from},
		{[]string{"db", "copy", "--from", from, "--to", filepath.Join(filepath.Dir(from), ".", "carrel.db")}, 2, "both name"},
		{[]string{"db", "copy", "--from", from, "--to", to, "extra"}, 2, "no arguments"},
		{[]string{"db", "copy", "--from", filepath.Join(dir, "missing.db"), "--to", to}, 1, "missing.db: no such database file"},
		{[]string{"db", "copy", "--from", empty, "--to", to}, 1, "older than this Carrel"},
		{[]string{"db", "copy", "--from", from, "--to", "postgres://carrel:hunter2@127.0.0.1:1/library"}, 1, "connect to PostgreSQL at 127.0.0.1"},
	} {
		code, stdout, stderr := carrel(t, "", tc.args...)
		if code != tc.code || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("carrel %q: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, stdout, stderr, tc.code, tc.want)
		}
		if strings.Contains(stderr, "hunter2") {
			t.Errorf("carrel %q printed the password: %q", tc.args, stderr)
		}
		// A failed copy leaves no target behind.
		if _, err := os.Stat(to); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("carrel %q left %s behind: %v", tc.args, to, err)
		}
	}
}

func TestDBBackupCommand(t *testing.T) {
	db := smallLibrary(t)
	backup := filepath.Join(t.TempDir(), "backup.db")
	code, stdout, stderr := carrel(t, "", "db", "backup", backup, "--db", db)
	if code != 0 || !strings.HasPrefix(stdout, "Backed up "+db+" to "+backup+": ") {
		t.Fatalf("db backup: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	wantReimport(t, backup)

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"db", "backup", "--db", db, backup}, 1, "the file exists"},
		{[]string{"db", "backup", "--db", db}, 2, "want the FILE to back up into"},
		{[]string{"db", "backup", "--db", filepath.Join(t.TempDir(), "missing.db"), backup + "2"}, 1, "no such database file"},
		{[]string{"db", "backup", "--db", "postgres://carrel:hunter2@127.0.0.1:1/library", backup + "3"}, 1, "pg_dump --format=custom"},
	} {
		code, stdout, stderr := carrel(t, "", tc.args...)
		if code != tc.code || stdout != "" || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "hunter2") {
			t.Errorf("carrel %q: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, stdout, stderr, tc.code, tc.want)
		}
	}
	for _, name := range []string{backup + "2", backup + "3"} {
		if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused backup left %s: %v", name, err)
		}
	}
}
