package csvimport_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/csvimport"
	"github.com/carrel-library/carrel/internal/library"
)

// goodRows are two good data rows of each kind of file, for the bad-cell
// tests to spoil one cell of the second.
var goodRows = map[csvimport.Kind]struct {
	header string
	rows   [2][]string
}{
	csvimport.Patrons: {patronHeader, [2][]string{
		{"20240011", "student", "Chan Tai Man", "tm.chan@example.edu.hk", "2024-09-01", "2028-08-31", ""},
		{"20240012", "student", "Wong Siu Ming", "sm.wong@example.edu.hk", "2024-09-01", "2028-08-31", ""},
	}},
	csvimport.Items: {itemHeader, [2][]string{
		{"B0011", "Call to Arms", "Lu Xun", "PL2754 .S5", "Main Library"},
		{"B0012", "Wandering", "Lu Xun", "PL2754 .S6", "Main Library"},
	}},
	csvimport.Loans: {loanHeader, [2][]string{
		{"20240001", "B0001", "2026-11-01", "2026-11-15"},
		{"S1001", "B0002", "2026-11-02", "2026-11-30"},
	}},
}

// TestImportRejectsBadCells puts invalid UTF-8, a NUL byte, an escape
// character and a 1 MB value in each column of the second row of each
// kind of file. The file is refused with a problem naming line 3 and the
// column, and the library is exactly as it was.
func TestImportRejectsBadCells(t *testing.T) {
	svc := newService(t)
	seed(t, svc)
	bad := []struct{ name, value, reason string }{
		{"invalid UTF-8", "20\xff\xfe24", "is not valid UTF-8 (save the file as UTF-8)"},
		{"NUL byte", "2024\x000012", "contains a line break or other control character"},
		{"escape character", "2024\x1b[2J", "contains a line break or other control character"},
		{"1 MB", strings.Repeat("x", 1<<20), "is 1048576 characters long, more than the 1000 a field may hold"},
	}
	for _, kind := range csvimport.Kinds() {
		g := goodRows[kind]
		columns := strings.Split(strings.TrimSpace(g.header), ",")
		for col, name := range columns {
			for _, b := range bad {
				rows := [2][]string{append([]string(nil), g.rows[0]...), append([]string(nil), g.rows[1]...)}
				rows[1][col] = b.value
				before := fingerprint(t, svc)
				_, err := importCSV(t, svc, kind, g.header+csvLine(rows[0])+csvLine(rows[1]))
				if err == nil {
					t.Fatalf("%s: %s in %s: accepted", kind, b.name, name)
				}
				want := csvimport.LineError{Line: 3, Column: name, Reason: b.reason}
				lines := lineErrors(t, err)
				if len(lines) != 1 || lines[0] != want {
					t.Errorf("%s: %s in %s: got %v, want %v", kind, b.name, name, lines, want)
				}
				for _, l := range lines {
					if strings.Contains(l.Error(), b.value[:min(len(b.value), 6)]) && b.name != "1 MB" {
						t.Errorf("%s: %s in %s: the message repeats the cell: %q", kind, b.name, name, l.Error())
					}
				}
				if after := fingerprint(t, svc); after != before {
					t.Fatalf("%s: %s in %s changed the library", kind, b.name, name)
				}
			}
		}
	}
}

// TestImportCellLength takes a field of 1000 characters (Chinese, three
// bytes each) and refuses one of 1001.
func TestImportCellLength(t *testing.T) {
	svc := newService(t)
	title := strings.Repeat("書", 1000)
	mustImport(t, svc, csvimport.Items, itemHeader+"B0001,"+title+",,,\n")
	_, err := importCSV(t, svc, csvimport.Items, itemHeader+"B0002,"+title+"書,,,\n")
	want := csvimport.LineError{Line: 2, Column: "title", Reason: "is 1001 characters long, more than the 1000 a field may hold"}
	if lines := lineErrors(t, err); len(lines) != 1 || lines[0] != want {
		t.Errorf("got %v, want %v", lines, want)
	}
}

// csvLine writes one CSV row with every field quoted.
func csvLine(fields []string) string {
	q := make([]string, len(fields))
	for i, f := range fields {
		q[i] = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
	}
	return strings.Join(q, ",") + "\n"
}

// fingerprint writes down everything an import could change: every patron
// with its PIN record, every item, every open loan and the newest audit
// entry.
func fingerprint(t testing.TB, svc *library.Service) string {
	t.Helper()
	var b strings.Builder
	err := svc.Store().View(context.Background(), func(tx library.Tx) error {
		var ids []int64
		if err := tx.EachPatron(func(p library.Patron) error {
			ids = append(ids, p.ID)
			fmt.Fprintf(&b, "%+v\n", p)
			return nil
		}); err != nil {
			return err
		}
		if err := tx.EachItem(func(it library.Item) error {
			fmt.Fprintf(&b, "%+v\n", it)
			return nil
		}); err != nil {
			return err
		}
		for _, id := range ids {
			loans, err := tx.OpenLoans(id)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%d: %+v\n", id, loans)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err := svc.SearchAudit(context.Background(), library.CommandLine, library.AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "audit: %+v\n", page.Entries)
	return b.String()
}
