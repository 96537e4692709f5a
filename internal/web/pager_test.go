package web

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
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
		from, to, p := listPage(r, tc.total, loansPerPage, func(n int) string { return "/p/" + strconv.Itoa(n) }, "pager.account_label", "pager.loans_range")
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
		from, to, p := listPage(r, total, loansPerPage, strconv.Itoa, "pager.account_label", "pager.loans_range")
		if from < 0 || from > to || to > total || to-from > loansPerPage || (total > 0 && from == to) {
			t.Fatalf("page %q of %d loans: loans [%d, %d)", s, total, from, to)
		}
		if p != nil && (p.Page < 1 || p.Page > p.Pages || p.From != from+1 || p.To != to) {
			t.Fatalf("page %q of %d loans: pager %+v", s, total, p)
		}
	})
}
