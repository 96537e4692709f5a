package csvimport_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/csvimport"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
)

// The HKID number is read to derive a legacy preset and goes nowhere else:
// not into the database file, its write-ahead log, an error or the audit log.
func TestHKIDNeverStored(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "carrel.db")
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := serviceOn(t, db)

	// The six digits of each number: whatever form it is written in, its
	// digits would show in the file.
	hkids := map[string]string{
		"A123456(3)":  "123456", // legacy
		"XA987654(2)": "987654", // legacy, two-letter prefix
		"C668668(9)":  "668668", // registered after the cut-over: ignored
		"Z683365(1)":  "683365", // card holder: ignored, not even checked
		"K123450(4)":  "123450", // wrong check digit, in a rejected file
	}
	_, err = importCSV(t, svc, csvimport.Patrons, patronHeader+
		"20150009,student,Bad Check Digit,,2015-09-01,2027-08-31,K123450(4)\n")
	if got := err.Error(); !strings.Contains(got, "line 2, column hkid: the HKID number's check digit is wrong") || strings.Contains(got, "123450") {
		t.Errorf("error %q: want the check-digit reason without the number", got)
	}
	mustImport(t, svc, csvimport.Patrons, patronHeader+
		"20150001,student,Legacy One,,2015-09-01,2027-08-31,A123456(3)\n"+
		"20150002,student,Legacy Two,,2015-09-01,2027-08-31,XA987654(2)\n"+
		"20240001,student,After Cut-over,,2024-09-01,2028-08-31,C668668(9)\n"+
		"20240002,student,Card Holder,,,,Z683365(1)\n")

	if p := patron(t, svc, "20150001"); !verifies(t, svc, p, "A12345") {
		t.Error("the legacy preset does not verify with A12345")
	}
	if p := patron(t, svc, "20150002"); !verifies(t, svc, p, "A98765") {
		t.Error("the legacy preset does not verify with A98765")
	}

	// The audit log: one entry per import that went through, counts only.
	conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	var actor, action, detail string
	if err := conn.QueryRow(`SELECT COUNT(*), MAX(actor), MAX(action), MAX(detail) FROM audit_log`).Scan(&n, &actor, &action, &detail); err != nil {
		t.Fatal(err)
	}
	if n != 1 || actor != "import" || action != "import.patrons" || detail != "added=4 updated=0 unchanged=0" {
		t.Errorf("audit log: %d entries, last %q %q %q; want one: import import.patrons added=4 ...", n, actor, action, detail)
	}
	conn.Close()

	var files [][]byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(path + suffix); err == nil {
			files = append(files, b)
		}
	}
	if len(files) == 0 || len(files[0]) == 0 {
		t.Fatal("nothing to search: the database file is missing")
	}
	for hkid, digits := range hkids {
		for i, b := range files {
			if bytes.Contains(b, []byte(digits)) {
				t.Errorf("the digits of %s are in database file %d", hkid, i)
			}
		}
	}
	// The legacy presets themselves are stored only as hashes.
	for _, preset := range []string{"A12345", "A98765"} {
		for i, b := range files {
			if bytes.Contains(b, []byte(preset)) {
				t.Errorf("preset %s is in database file %d", preset, i)
			}
		}
	}
	if p := patron(t, svc, "20240001"); p.PIN.Kind != library.PINPreset || p.PIN.Hash != "" {
		t.Errorf("patron after the cut-over: PIN %+v, want the barcode preset", p.PIN.Kind)
	}
}
