package csvimport_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/carrel-library/carrel/internal/csvimport"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// The import fuzz targets feed any bytes to Import as a file of one kind,
// into a real library (one SQLite database per target and fuzzing process,
// seeded as the other tests seed theirs). Whatever the bytes, Import does not panic
// and either
//   - refuses the whole file with *csvimport.Errors, every problem with a
//     line, a known column or none, and a reason in UTF-8, and the library
//     is exactly as it was (no partial import), or
//   - accepts it, every field is text (UTF-8, no control characters, at
//     most 1000 characters), and every row reads back from the database
//     equal to the file after the documented normalisation: fields
//     trimmed, an export's formula quote taken off, barcodes normalised, a
//     category in any case.

// fuzzService is a fuzz target's library: a fresh SQLite database, seeded,
// made once per fuzzing process (the target's body runs once per worker)
// and closed when the target ends.
func fuzzService(f *testing.F) *library.Service {
	svc := serviceOn(f, storagetest.New(f))
	seed(f, svc)
	return svc
}

func FuzzImportPatrons(f *testing.F) {
	addSeeds(f, patronHeader, []string{
		"20240001,student,Chan Tai Man,tm.chan@example.edu.hk,2024-09-01,2028-08-31,\n",
		"20240021,Student,=HYPERLINK(\"\"x\"\"),,2024-09-01,,\n",
		"2024-0022, student ,'+Wong,,,,\n",
		"S2001,staff,O'Brien,,2019-01-10,,\n",
		"20150021,student,Legacy,,2015-09-01,2027-08-31,A123456(3)\n",
		"20240023,student,Bad Date,,2024-13-01,,\n",
		"20240024,student,Nul\x00,,,,\n",
		"20240025,student,\xff\xfe,,,,\n",
		"20240026,alumni,Unknown,,,,\n",
	})
	svc := fuzzService(f)
	f.Fuzz(func(t *testing.T, file []byte) {
		checkImport(t, svc, csvimport.Patrons, file, func(tx library.Tx, r map[string]string) error {
			p, err := tx.PatronByBarcode(library.NormalizeBarcode(r["barcode"]))
			if err != nil {
				return err
			}
			cat := r["category"]
			if _, ok := svc.Config().Category(cat); !ok {
				cat = strings.ToLower(cat)
			}
			got := []string{p.Category, p.Name, p.Email, p.RegisteredOn.String(), p.ExpiresOn.String()}
			want := []string{cat, r["name"], r["email"], r["registered_on"], r["expires_on"]}
			return differ(got, want)
		})
	})
}

func FuzzImportItems(f *testing.F) {
	addSeeds(f, itemHeader, []string{
		"B0101,Call to Arms,Lu Xun,PL2754 .S5,Main Library\n",
		"b-0102,=1+1,-,'@x,''\n",
		"B0103,\"Quoted, with comma\",\"Line\nbreak\",,\n",
		"B0104,'''=deep,+,=,\t\n",
		"B0105,,No title,,\n",
		"B0106,Title,\x00,,\n",
		"B0107,Title,\xc3\x28,,\n",
	})
	svc := fuzzService(f)
	f.Fuzz(func(t *testing.T, file []byte) {
		checkImport(t, svc, csvimport.Items, file, func(tx library.Tx, r map[string]string) error {
			it, err := tx.ItemByBarcode(library.NormalizeBarcode(r["barcode"]))
			if err != nil {
				return err
			}
			return differ([]string{it.Title, it.Author, it.CallNumber, it.Location},
				[]string{r["title"], r["author"], r["call_number"], r["location"]})
		})
	})
}

func FuzzImportLoans(f *testing.F) {
	addSeeds(f, loanHeader, []string{
		"20240001,B0001,2026-11-01,2026-11-15\n",
		"20240002,B0003,2026-11-01,2026-11-15\n",
		"20240003,B0004,2026-11-01,2026-11-15\n",
		"s-1001,b0002,2026-11-20,2026-12-24\n",
		"20240001,B0002,2026-12-01,2026-11-15\n",
		"20249999,B9999,2026-11-01,\n",
	})
	svc := fuzzService(f)
	loc := svc.Config().Location()
	f.Fuzz(func(t *testing.T, file []byte) {
		var lent []string
		checkImport(t, svc, csvimport.Loans, file, func(tx library.Tx, r map[string]string) error {
			item := library.NormalizeBarcode(r["item_barcode"])
			it, err := tx.ItemByBarcode(item)
			if err != nil {
				return err
			}
			l, err := tx.OpenLoanForItem(it.ID)
			if err != nil {
				return err
			}
			p, err := tx.PatronByID(l.PatronID)
			if err != nil {
				return err
			}
			lent = append(lent, item)
			return differ([]string{p.Barcode, library.DateOf(l.CheckedOutAt, loc).String(), library.DateOf(l.DueAt, loc).String()},
				[]string{library.NormalizeBarcode(r["patron_barcode"]), r["checked_out_on"], r["due_on"]})
		})
		returnLoans(t, svc, lent)
	})
}

// addSeeds adds each row alone under the header, all rows together, the
// header alone, and a file saved by a spreadsheet (BOM, CRLF).
func addSeeds(f *testing.F, header string, rows []string) {
	for _, r := range rows {
		f.Add([]byte(header + r))
	}
	f.Add([]byte(header + strings.Join(rows, "")))
	f.Add([]byte(header))
	f.Add([]byte("\xEF\xBB\xBF" + strings.ReplaceAll(header+rows[0], "\n", "\r\n")))
	f.Add([]byte(""))
}

// checkImport imports file and checks the property above; stored checks
// one accepted row, named by column, against the database.
func checkImport(t *testing.T, svc *library.Service, kind csvimport.Kind, file []byte, stored func(library.Tx, map[string]string) error) {
	t.Helper()
	before := fingerprint(t, svc)
	sum, err := csvimport.Import(context.Background(), svc, kind, bytes.NewReader(file), nil)
	if err != nil {
		var ie *csvimport.Errors
		if !errors.As(err, &ie) {
			t.Fatalf("refused without line errors: %v", err)
		}
		if len(ie.Lines) == 0 {
			t.Fatal("refused with no problem listed")
		}
		columns := strings.Split(strings.TrimSpace(headers[kind]), ",")
		for _, l := range ie.Lines {
			// A column is one of the kind's, or on the header line a name
			// the header gave, repeated because it looks like a column name.
			known := l.Column == "" || slices.Contains(columns, l.Column) || l.Line == 1 && columnLike.MatchString(l.Column)
			if l.Line < 1 || l.Reason == "" || !utf8.ValidString(l.Error()) || !known {
				t.Errorf("unclear problem %#v", l)
			}
		}
		if after := fingerprint(t, svc); after != before {
			t.Fatalf("a refused file changed the library:\n%s", ie)
		}
		return
	}
	rows := readFile(t, file)
	if n := sum.Added + sum.Updated + sum.Unchanged; n != len(rows) {
		t.Errorf("summary %v for %d rows", sum, len(rows))
	}
	for i, r := range rows {
		for col, v := range r {
			if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 || utf8.RuneCountInString(v) > 1000 {
				t.Errorf("row %d, column %s accepted though not text of at most 1000 characters: %q", i+1, col, v)
			}
		}
	}
	err = svc.Store().View(context.Background(), func(tx library.Tx) error {
		for i, r := range rows {
			if err := stored(tx, r); err != nil {
				t.Errorf("row %d %q: %v", i+1, r, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// columnLike is what a header name must look like to be repeated in a problem.
var columnLike = regexp.MustCompile(`^[a-z][a-z_ ]{0,39}$`)

var headers = map[csvimport.Kind]string{csvimport.Patrons: patronHeader, csvimport.Items: itemHeader, csvimport.Loans: loanHeader}

// readFile reads an accepted file as the documentation describes it: a
// header naming the columns in any order and case, each field trimmed and
// an export's formula quote taken off.
func readFile(t *testing.T, file []byte) []map[string]string {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(file))
	if b, err := br.Peek(3); err == nil && string(b) == "\xEF\xBB\xBF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		t.Fatalf("accepted file has no header: %v", err)
	}
	var rows []map[string]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatalf("accepted file is not CSV: %v", err)
		}
		r := map[string]string{}
		for i, h := range header {
			r[strings.ToLower(strings.TrimSpace(h))] = unquoteFormula(strings.TrimSpace(rec[i]))
		}
		rows = append(rows, r)
	}
}

// unquoteFormula is the inverse of EscapeFormula: the one quote an export
// puts in front, taken off.
func unquoteFormula(s string) string {
	if strings.HasPrefix(s, "'") && csvimport.EscapeFormula(s[1:]) == s {
		return s[1:]
	}
	return s
}

// differ reports the first field that is not as wanted.
func differ(got, want []string) error {
	for i := range got {
		if got[i] != want[i] {
			return library.Errorf(library.EINVALID, "field %d stored as %q, want %q", i+1, got[i], want[i])
		}
	}
	return nil
}

// returnLoans closes the open loans of the items, as a check-in would,
// so that the next input finds the items on the shelf.
func returnLoans(t *testing.T, svc *library.Service, items []string) {
	t.Helper()
	err := svc.Store().Update(context.Background(), func(tx library.Tx) error {
		for _, b := range items {
			it, err := tx.ItemByBarcode(b)
			if err != nil {
				return err
			}
			l, err := tx.OpenLoanForItem(it.ID)
			if library.IsCode(err, library.ENOTFOUND) {
				continue
			}
			if err != nil {
				return err
			}
			l.ReturnedAt = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
			if err := tx.UpdateLoan(l); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
