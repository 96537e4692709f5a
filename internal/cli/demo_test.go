package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/demo"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// TestDemoCommandGenerated runs `carrel demo` with counts on each
// database: it fills the empty database, reports progress in plain lines
// off a terminal, prints how the load tool signs in, and refuses to run
// again on the filled database.
func TestDemoCommandGenerated(t *testing.T) {
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			db := k.Fresh(t)
			args := []string{"demo", "--db", db, "--patrons", "300", "--items", "2000", "--returned-loans", "3000",
				"--open-loans", "1300", "--load-patrons", "4", "--seed", "9"}
			code, stdout, stderr := carrel(t, "", args...)
			if code != 0 {
				t.Fatalf("carrel demo: exit %d: %s", code, stderr)
			}
			t.Logf("\n%s%s", stdout, stderr)
			for _, want := range []string{
				"Generated library (seed 9): 300 patrons, 2000 items, 3000 returned loans, 1300 current loans.\n",
				"6600 rows in ",
				"load-test patrons: 4 students, barcodes 20000001 to 20000004 (consecutive), PIN " + demo.LoadPIN + "\n",
				"heavy patron: barcode HEAVY1, PIN " + demo.LoadPIN + ", 1 current loan\n",
				"heavy patron: barcode HEAVY1000, PIN " + demo.LoadPIN + ", 1000 current loans\n",
				"SIP2 kiosk: login " + demo.Kiosk.Login,
			} {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q", want)
				}
			}
			for _, want := range []string{
				"carrel demo: items 0/2000 (0%)\n",
				"carrel demo: items 2000/2000 (100%)\n",
				"carrel demo: returned loans 3000/3000 (100%)\n",
				"carrel demo: hashing PINs 8/8 (100%)\n",
				"carrel demo: patrons 300/300 (100%)\n",
				"carrel demo: open loans 1300/1300 (100%)\n",
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks the progress line %q", want)
				}
			}
			if strings.Contains(stderr, "\r") {
				t.Error("a progress bar was drawn off a terminal")
			}

			code, _, stderr = carrel(t, "", args...)
			if code != 1 || !strings.Contains(stderr, "already holds a library") {
				t.Errorf("carrel demo again: exit %d, stderr %q; want exit 1 and a refusal", code, stderr)
			}
		})
	}
}

// TestDemoCommandSmall: without counts, `carrel demo` fills the demo
// library of `serve --demo` and prints its sign-in details.
func TestDemoCommandSmall(t *testing.T) {
	db := filepath.Join(t.TempDir(), "carrel.db")
	code, stdout, stderr := carrel(t, "", "demo", "--db", db)
	if code != 0 {
		t.Fatalf("carrel demo: exit %d: %s", code, stderr)
	}
	for _, c := range demo.Cases() {
		if !strings.Contains(stdout, "barcode "+c.Barcode) {
			t.Errorf("stdout lacks the demo patron %s:\n%s", c.Barcode, stdout)
		}
	}
	if code, _, stderr := carrel(t, "", "demo", "--size", "small", "--db", db); code != 1 || !strings.Contains(stderr, "already holds a library") {
		t.Errorf("carrel demo again: exit %d, stderr %q; want exit 1 and a refusal", code, stderr)
	}
}

// TestDemoCommandUsage: mistakes in the flags are refused with a message,
// and a fill that fails leaves no database file behind.
func TestDemoCommandUsage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "new.db")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--size", "medium"}, 2, `--size "medium": want small or large`},
		{[]string{"--size", "small", "--patrons", "10"}, 2, "--patrons sets up a generated library: use it with --size large"},
		{[]string{"--heavy", "1,ten"}, 2, `--heavy "1,ten": "ten" is not a number`},
		{[]string{"--heavy", "5,5"}, 2, "5 is given twice"},
		{[]string{"extra"}, 2, "want no arguments"},
		{[]string{"--items", "10", "--open-loans", "20", "--heavy", ""}, 1, "20 open loans need as many items that can be lent"},
	} {
		code, _, stderr := carrel(t, "", append([]string{"demo", "--db", db}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("carrel demo %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.want)
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Errorf("carrel demo %s left %s behind (%v)", strings.Join(tc.args, " "), db, err)
		}
	}
}
