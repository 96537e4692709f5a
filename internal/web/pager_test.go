package web

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

// pagesText writes a pager's page numbers as text: "1 … 4 [5] 6 … 20".
func pagesText(p *pager) string {
	if p == nil {
		return "none"
	}
	var b []string
	for _, l := range p.Links {
		switch {
		case l.Gap:
			b = append(b, "…")
		case l.Current:
			b = append(b, "["+strconv.Itoa(l.N)+"]")
		default:
			b = append(b, strconv.Itoa(l.N))
		}
	}
	return strings.Join(b, " ")
}

// TestListPage checks which slice of a list a page number gives, and which
// page numbers the pager lists around it.
func TestListPage(t *testing.T) {
	for _, tc := range []struct {
		total    int
		page     string
		from, to int
		pages    string
		prev     string
		next     string
	}{
		{0, "", 0, 0, "none", "", ""},
		{3, "2", 0, 3, "none", "", ""},
		{50, "", 0, 50, "none", "", ""},
		{51, "", 0, 50, "[1] 2", "", "/p/2"},
		{51, "2", 50, 51, "1 [2]", "/p/1", ""},
		{120, "3", 100, 120, "1 2 [3]", "/p/2", ""},
		{120, "999", 100, 120, "1 2 [3]", "/p/2", ""},
		{120, "abc", 0, 50, "[1] 2 3", "", "/p/2"},
		{120, "-1", 0, 50, "[1] 2 3", "", "/p/2"},
		{1000, "1", 0, 50, "[1] 2 3 … 20", "", "/p/2"},
		{1000, "4", 150, 200, "1 2 3 [4] 5 6 … 20", "/p/3", "/p/5"},
		{1000, "5", 200, 250, "1 2 3 4 [5] 6 7 … 20", "/p/4", "/p/6"},
		{1000, "6", 250, 300, "1 … 4 5 [6] 7 8 … 20", "/p/5", "/p/7"},
		{1000, "17", 800, 850, "1 … 15 16 [17] 18 19 20", "/p/16", "/p/18"},
		{1000, "20", 950, 1000, "1 … 18 19 [20]", "/p/19", ""},
		{1000, "99999999999999999999", 950, 1000, "1 … 18 19 [20]", "/p/19", ""},
	} {
		r := httptest.NewRequest("GET", "/account?"+url.Values{"page": {tc.page}}.Encode(), nil)
		from, to, p := pageAt(askedPage(r), tc.total, loansPerPage, func(n int) string { return "/p/" + strconv.Itoa(n) }, "pager.account_label", "pager.loans_range")
		if from != tc.from || to != tc.to {
			t.Errorf("%d loans, page %q: loans [%d, %d), want [%d, %d)", tc.total, tc.page, from, to, tc.from, tc.to)
		}
		if got := pagesText(p); got != tc.pages {
			t.Errorf("%d loans, page %q: page numbers %q, want %q", tc.total, tc.page, got, tc.pages)
		}
		if p != nil && (p.Prev != tc.prev || p.Next != tc.next) {
			t.Errorf("%d loans, page %q: previous %q, next %q; want %q, %q", tc.total, tc.page, p.Prev, p.Next, tc.prev, tc.next)
		}
	}
}

// TestGrouped checks counts are written with their thousands grouped.
func TestGrouped(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 12345: "12,345", 1234567: "1,234,567"} {
		if got := grouped(n); got != want {
			t.Errorf("grouped(%d) = %q, want %q", n, got, want)
		}
	}
}

// FuzzLoanPage: whatever page number a request carries, the page shown is
// one that exists and its loans are a slice of the list.
func FuzzLoanPage(f *testing.F) {
	for _, s := range []string{"", "1", "2", "-1", "0", "abc", "99999999999999999999", " 3 ", "+2", "2.0", "0x10"} {
		f.Add(s, 120)
	}
	f.Fuzz(func(t *testing.T, s string, total int) {
		total = max(total, 0) % 100_000
		r := httptest.NewRequest("GET", "/account?"+url.Values{"page": {s}}.Encode(), nil)
		from, to, p := pageAt(askedPage(r), total, loansPerPage, strconv.Itoa, "pager.account_label", "pager.loans_range")
		if from < 0 || from > to || to > total || to-from > loansPerPage || (total > 0 && from == to) {
			t.Fatalf("page %q of %d loans: loans [%d, %d)", s, total, from, to)
		}
		if p != nil && (p.Page < 1 || p.Page > p.Pages || p.From != from+1 || p.To != to) {
			t.Fatalf("page %q of %d loans: pager %+v", s, total, p)
		}
	})
}

// TestLongRecordRenders renders page 7 of a long borrowing record, on My
// Account and at the desk, after renewing every loan, in both languages,
// and looks for missing messages and arguments.
func TestLongRecordRenders(t *testing.T) {
	s := newTestServer(t)
	loc := s.cfg.Location()
	due := time.Date(2026, 12, 24, 23, 59, 59, 0, loc)
	patron := library.Patron{ID: 1, Barcode: "24031588", Category: "student", Name: "Wong Ka Yan", RegisteredOn: library.NewDate(2024, 9, 1), PIN: library.PINRecord{Kind: library.PINChosen}}
	rec := library.Record{Patron: patron, Status: library.StatusActive, Today: library.NewDate(2026, 11, 28)}
	var outcomes []library.RenewOutcome
	for i := range 1000 {
		it := library.Item{ID: int64(i + 1), Title: "Title " + strconv.Itoa(i)}
		rec.Loans = append(rec.Loans, library.LoanLine{Loan: library.Loan{ID: int64(i + 1), Item: it, DueAt: due, CheckedOutAt: due.AddDate(0, 0, -14)}, DueInDays: 26})
		o := library.RenewOutcome{Item: it, Renewed: i%10 != 0, NewDue: due}
		if !o.Renewed {
			o.Refusal = &library.Refusal{Reason: library.ReasonRenewalLimit, Limit: 2}
		}
		outcomes = append(outcomes, o)
	}
	// The domain reads page 7 alone (library.BorrowingRecordPage).
	rec.LoanCount, rec.Page = len(rec.Loans), 7
	rec.Loans = rec.Loans[6*loansPerPage : 7*loansPerPage]
	r := httptest.NewRequest("GET", "/account?page=7", nil)
	account := s.newAccountPage(r, &visit{sess: library.Session{CSRFToken: "token"}, patron: patron}, rec)
	account.Results = s.renewResults(outcomes)
	desk := s.newPatronPage(httptest.NewRequest("GET", "/staff/patrons/1?page=7", nil), &staffVisit{}, library.PatronFile{Record: rec})
	desk.Results = s.deskRenewResults(outcomes)
	for _, p := range s.cat.Printers() {
		for name, data := range map[string]any{"account": account, "staff_patron": desk} {
			var b strings.Builder
			if err := s.pages[p.Code()][name].ExecuteTemplate(&b, "layout", data); err != nil {
				t.Fatalf("%s %s: %v", p.Code(), name, err)
			}
			page := b.String()
			if i := strings.Index(page, i18n.MissingMarker); i >= 0 {
				t.Errorf("%s %s: %s", p.Code(), name, page[i:min(len(page), i+80)])
			}
			if got := strings.Count(page, `<tr`) - 1; got != loansPerPage {
				t.Errorf("%s %s: %d loan rows, want %d", p.Code(), name, got, loansPerPage)
			}
			if got := strings.Count(page, `<li class="re`); got != maxRenewLines {
				t.Errorf("%s %s: %d outcomes listed, want %d", p.Code(), name, got, maxRenewLines)
			}
			for _, want := range []string{`id="page-7" aria-current="page"`, `<li class="more">`, `1,000`} {
				if !strings.Contains(page, want) {
					t.Errorf("%s %s: no %s", p.Code(), name, want)
				}
			}
		}
	}
}
