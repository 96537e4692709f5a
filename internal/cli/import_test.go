package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/cli"
)

// carrel runs the command as a person at a shell would, and returns its
// exit status and what it wrote.
func carrel(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeFile writes a CSV file into dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "carrel.db")
	if code, _, stderr := carrel(t, "", "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}

	patrons := writeFile(t, dir, "patrons.csv", "barcode,category,name,email,registered_on,expires_on,hkid\n"+
		"20240001,student,Chan Tai Man,tm.chan@example.edu.hk,2024-09-01,2028-08-31,\n"+
		"20150001,student,Legacy Without HKID,,2015-09-01,2027-08-31,\n")
	// Flags after the arguments, as DESIGN section 5 promises.
	code, stdout, stderr := carrel(t, "", "import", "patrons", patrons, "--db", db)
	if code != 0 {
		t.Fatalf("import patrons: exit %d: %s", code, stderr)
	}
	want := "patrons: 2 added, 0 updated, 0 unchanged\n1 legacy patrons have no HKID: reset their PINs at the desk\n"
	if stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing (no progress bar off a terminal)", stderr)
	}

	// Standard input, flags first.
	code, stdout, stderr = carrel(t, "barcode,title,author,call_number,location\nB0001,Call to Arms,Lu Xun,PL2754 .S5,Main Library\n",
		"import", "--db", db, "items", "-")
	if code != 0 || stdout != "items: 1 added, 0 updated, 0 unchanged\n" {
		t.Errorf("import items from stdin: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// A bad file: every problem on stderr, then that nothing was imported.
	bad := writeFile(t, dir, "bad.csv", "barcode,category,name,email,registered_on,expires_on,hkid\n"+
		"20240002,student,Wong Siu Ming,,2024-09-01,2028-08-31,\n"+
		"2024003,student,Short Barcode,,2024-09-01,2028-08-31,\n"+
		"20150002,student,Bad HKID,,2015-09-01,2027-08-31,A123456(4)\n")
	code, stdout, stderr = carrel(t, "", "import", "--db", db, "patrons", bad)
	if code == 0 {
		t.Error("bad file: exit 0, want non-zero")
	}
	for _, s := range []string{
		"line 3, column barcode: 2024003 is not a student barcode (8 digits)\n",
		"line 4, column hkid: the HKID number's check digit is wrong\n",
		"nothing was imported",
	} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr %q does not contain %q", stderr, s)
		}
	}
	if strings.Contains(stderr, "123456") || stdout != "" {
		t.Errorf("stdout %q, stderr %q: want no summary and no HKID number", stdout, stderr)
	}
	// Nothing was imported: the good line of the bad file is not there.
	code, stdout, _ = carrel(t, "", "import", "--db", db, "patrons", patrons)
	if code != 0 || !strings.HasPrefix(stdout, "patrons: 0 added, 0 updated, 2 unchanged\n") {
		t.Errorf("re-import: exit %d, stdout %q", code, stdout)
	}
}

func TestImportCommandUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "carrel.db")
	for _, args := range [][]string{
		{"import", "--db", db},
		{"import", "--db", db, "patrons"},
		{"import", "--db", db, "books", "books.csv"},
		{"import", "--db", db, "patrons", "a.csv", "b.csv"},
	} {
		if code, _, stderr := carrel(t, "", args...); code != 2 || stderr == "" {
			t.Errorf("carrel %v: exit %d, stderr %q; want 2 and a message", args, code, stderr)
		}
	}
	code, _, stderr := carrel(t, "", "import", "--db", db, "patrons", filepath.Join(t.TempDir(), "missing.csv"))
	if code != 1 || !strings.Contains(stderr, "missing.csv") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
}
