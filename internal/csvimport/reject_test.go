package csvimport_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/csvimport"
	"github.com/carrel-library/carrel/internal/library"
)

// at is where a problem is expected: its line and column.
type at struct {
	line   int
	column string
}

// Every kind of bad input is reported at its line and column, and the
// database is left exactly as it was.
func TestImportRejects(t *testing.T) {
	eachDB(t, func(t *testing.T, newService func(testing.TB) *library.Service) {
		const goodPatron = "20250001,student,Cheung Hoi Yan,hy.cheung@example.edu.hk,2025-09-01,2029-08-31,\n"
		const goodItem = "C0001,The Moon and Sixpence,W. Somerset Maugham,PR6025 .A86,Main Library\n"
		const goodLoan = "20240001,B0001,2026-11-20,2026-12-04\n"
		tests := []struct {
			name   string
			kind   csvimport.Kind
			text   string
			want   []at
			reason string // a phrase the first problem's reason must contain
		}{
			{"bad barcode format", csvimport.Patrons, patronHeader + goodPatron +
				"2025002,student,Ng Ka Ho,,2025-09-01,2029-08-31,\n",
				[]at{{3, "barcode"}}, "8 digits"},
			{"staff barcode format", csvimport.Patrons, patronHeader + goodPatron +
				"S1#2,staff,Ng Ka Ho,,2025-09-01,,\n",
				[]at{{3, "barcode"}}, "staff"},
			{"empty barcode", csvimport.Patrons, patronHeader + goodPatron +
				",student,Ng Ka Ho,,2025-09-01,2029-08-31,\n",
				[]at{{3, "barcode"}}, "empty"},
			{"unknown category", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,teacher,Ng Ka Ho,,2025-09-01,2029-08-31,\n",
				[]at{{3, "category"}}, `unknown category "teacher"`},
			{"bad date", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,student,Ng Ka Ho,,2025-02-30,2029-08-31,\n",
				[]at{{3, "registered_on"}}, "YYYY-MM-DD"},
			{"bad expiry date", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,student,Ng Ka Ho,,2025-09-01,31/08/2029,\n",
				[]at{{3, "expires_on"}}, "YYYY-MM-DD"},
			{"expires before registered", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,student,Ng Ka Ho,,2025-09-01,2024-08-31,\n",
				[]at{{3, "expires_on"}}, "before registered_on"},
			{"bad HKID check digit", csvimport.Patrons, patronHeader + goodPatron +
				"20150002,student,Ng Ka Ho,,2015-09-01,2027-08-31,A123456(4)\n",
				[]at{{3, "hkid"}}, "check digit"},
			{"bad HKID format", csvimport.Patrons, patronHeader + goodPatron +
				"20150002,student,Ng Ka Ho,,2015-09-01,2027-08-31,A12345\n",
				[]at{{3, "hkid"}}, "six digits"},
			{"duplicate barcode in file", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,student,Ng Ka Ho,,2025-09-01,2029-08-31,\n" +
				"2025-0001,student,Cheung Hoi Yan,,2025-09-01,2029-08-31,\n",
				[]at{{4, "barcode"}}, "already on line 2"},
			{"empty name", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,student,,,2025-09-01,2029-08-31,\n",
				[]at{{3, "name"}}, "empty"},
			{"bad email", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,student,Ng Ka Ho,ng.ka.ho at example,2025-09-01,2029-08-31,\n",
				[]at{{3, "email"}}, "plausible"},
			{"invalid UTF-8", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,student,Ng Ka \xff\xfeHo,,2025-09-01,2029-08-31,\n",
				[]at{{3, "name"}}, "UTF-8"},
			{"line break in a field", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,student,\"Ng\nKa Ho\",,2025-09-01,2029-08-31,\n" +
				"1234,student,Ng Ka Ho,,2025-09-01,2029-08-31,\n",
				[]at{{3, "name"}, {5, "barcode"}}, "line break"},
			{"wrong number of fields", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,student,Ng Ka Ho,2025-09-01,2029-08-31\n",
				[]at{{3, ""}}, "has 5 fields, want 7"},
			{"not valid CSV", csvimport.Patrons, patronHeader + goodPatron +
				"20250002,student,Ng \"Ka\" Ho,,2025-09-01,2029-08-31,\n",
				[]at{{3, ""}}, "not valid CSV"},
			{"several problems on several lines", csvimport.Patrons, patronHeader +
				"1,student,,,2025-09-01,2024-01-01,\n" + goodPatron +
				"20250003,alumni,Ng Ka Ho,,2025-13-01,,\n",
				[]at{{2, "barcode"}, {2, "name"}, {2, "expires_on"}, {4, "category"}, {4, "registered_on"}}, "8 digits"},
			{"missing column", csvimport.Patrons,
				"barcode,category,name,registered_on,expires_on,hkid\n" +
					"20250001,student,Cheung Hoi Yan,2025-09-01,2029-08-31,\n",
				[]at{{1, "email"}}, "missing"},
			{"unknown column", csvimport.Patrons,
				"barcode,category,name,email,phone,registered_on,expires_on,hkid\n" +
					"20250001,student,Cheung Hoi Yan,,2265-6918,2025-09-01,2029-08-31,\n",
				[]at{{1, "phone"}}, "unknown column"},
			{"no header", csvimport.Patrons, "", []at{{1, ""}}, "empty"},
			{"data where the header should be", csvimport.Patrons, goodPatron,
				[]at{{1, ""}}, "must be the header row"},
			{"duplicate column", csvimport.Items, "barcode,title,author,title,call_number,location\n", []at{{1, "title"}}, "twice"},
			{"unnamed column", csvimport.Items, "barcode,title,author,call_number,location,A123456(3)\n", []at{{1, ""}}, "column 6"},
			{"empty title", csvimport.Items, itemHeader + goodItem +
				"C0002,,Lu Xun,PL2754 .S5,Main Library\n",
				[]at{{3, "title"}}, "empty"},
			{"duplicate item barcode in file", csvimport.Items, itemHeader + goodItem +
				"c-0001,Call to Arms,Lu Xun,PL2754 .S5,Main Library\n",
				[]at{{3, "barcode"}}, "C0001 is already on line 2"},
			{"empty item barcode", csvimport.Items, itemHeader + goodItem +
				" ,Call to Arms,Lu Xun,PL2754 .S5,Main Library\n",
				[]at{{3, "barcode"}}, "empty"},
			{"loan for unknown patron", csvimport.Loans, loanHeader + goodLoan +
				"20249999,B0002,2026-11-20,2026-12-04\n",
				[]at{{3, "patron_barcode"}}, "no patron has barcode 20249999"},
			{"loan for unknown item", csvimport.Loans, loanHeader + goodLoan +
				"20240001,B9999,2026-11-20,2026-12-04\n",
				[]at{{3, "item_barcode"}}, "no item has barcode B9999"},
			{"item already on loan", csvimport.Loans, loanHeader + goodLoan +
				"20240001,B0003,2026-11-20,2026-12-04\n",
				[]at{{3, "item_barcode"}}, "already on loan"},
			{"item twice in the loan file", csvimport.Loans, loanHeader + goodLoan +
				"S1001,B0001,2026-11-20,2026-12-18\n",
				[]at{{3, "item_barcode"}}, "line 2"},
			{"loan for a card holder", csvimport.Loans, loanHeader + goodLoan +
				"20240003,B0002,2026-11-20,2026-12-04\n",
				[]at{{3, "patron_barcode"}}, "card holder"},
			{"due before checkout", csvimport.Loans, loanHeader + goodLoan +
				"20240001,B0002,2026-11-20,2026-11-19\n",
				[]at{{3, "due_on"}}, "before checked_out_on"},
			{"bad loan date", csvimport.Loans, loanHeader + goodLoan +
				"20240001,B0002,20/11/2026,2026-12-04\n",
				[]at{{3, "checked_out_on"}}, "YYYY-MM-DD"},
			{"missing due date", csvimport.Loans, loanHeader + goodLoan +
				"20240001,B0002,2026-11-20,\n",
				[]at{{3, "due_on"}}, "empty"},
			{"checkout in the future", csvimport.Loans, loanHeader + goodLoan +
				"20240001,B0002,2026-11-28,2026-12-12\n",
				[]at{{3, "checked_out_on"}}, "future"},
			{"database problems on several lines", csvimport.Loans, loanHeader +
				"20249999,B0002,2026-11-20,2026-12-04\n" + goodLoan +
				"20240003,B9999,2026-11-20,2026-12-04\n" +
				"20240002,B0003,2026-11-01,2026-11-15\n" + // the seeded loan itself: fine
				"20240001,B0004,2026-11-01,2026-11-15\n",
				[]at{{2, "patron_barcode"}, {4, "patron_barcode"}, {4, "item_barcode"}}, "no patron"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				svc := newService(t)
				seed(t, svc)
				before := countAll(t, svc)

				sum, err := importCSV(t, svc, tt.kind, tt.text)

				lines := lineErrors(t, err)
				var got []at
				for _, l := range lines {
					got = append(got, at{l.Line, l.Column})
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("problems at %v, want %v\n%v", got, tt.want, err)
				}
				if len(lines) > 0 && !strings.Contains(lines[0].Reason, tt.reason) {
					t.Errorf("first reason %q does not contain %q", lines[0].Reason, tt.reason)
				}
				if sum != (csvimport.Summary{}) {
					t.Errorf("summary %+v, want none", sum)
				}
				if after := countAll(t, svc); after != before {
					t.Errorf("database changed: %+v before, %+v after", before, after)
				}
			})
		}
	})
}

// One bad line among good ones: the good ones are not imported either.
func TestImportAllOrNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, newService func(testing.TB) *library.Service) {
		for _, kind := range csvimport.Kinds() {
			t.Run(string(kind), func(t *testing.T) {
				svc := newService(t)
				seed(t, svc)
				before := countAll(t, svc)
				var b strings.Builder
				switch kind {
				case csvimport.Patrons:
					b.WriteString(patronHeader)
					for i := range 5 {
						fmt.Fprintf(&b, "2025%04d,student,Student %d,,2025-09-01,2029-08-31,\n", i, i)
					}
					b.WriteString("2025999,student,Short Barcode,,2025-09-01,2029-08-31,\n")
				case csvimport.Items:
					b.WriteString(itemHeader)
					for i := range 5 {
						fmt.Fprintf(&b, "C%04d,Title %d,,,\n", i, i)
					}
					b.WriteString("C9999,,No Title,,\n")
				case csvimport.Loans:
					b.WriteString(itemHeader)
					for i := range 5 {
						fmt.Fprintf(&b, "L%04d,Title %d,,,\n", i, i)
					}
					mustImport(t, svc, csvimport.Items, b.String())
					before = countAll(t, svc)
					b.Reset()
					b.WriteString(loanHeader)
					for i := range 5 {
						fmt.Fprintf(&b, "20240001,L%04d,2026-11-20,2026-12-04\n", i)
					}
					b.WriteString("20240001,B0003,2026-11-20,2026-12-04\n") // already on loan
				}

				_, err := importCSV(t, svc, kind, b.String())

				lines := lineErrors(t, err)
				if len(lines) != 1 || lines[0].Line != 7 {
					t.Errorf("problems %v, want one on line 7", lines)
				}
				if after := countAll(t, svc); after != before {
					t.Errorf("database changed: %+v before, %+v after", before, after)
				}
			})
		}
	})
}

// Errors lists every problem, in line order, in the form the CLI prints.
func TestErrorsMessage(t *testing.T) {
	svc := newService(t)
	_, err := importCSV(t, svc, csvimport.Items, itemHeader+"A1,,,,\n,Title,,,\nA1,Again,,,\n")
	want := "csvimport: 3 problem(s), nothing imported\n" +
		"line 2, column title: is empty\n" +
		"line 3, column barcode: is empty\n" +
		"line 4, column barcode: A1 is already on line 2"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}
