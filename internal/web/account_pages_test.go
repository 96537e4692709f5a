package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

// manyLoans lends n new items to p in one transaction, the first overdue
// of them overdue by overdue, overdue-1, ... 1 days and the rest due on
// the following days, one a day: in the order the borrowing record lists
// them, loan i is titled "Loan i" (counted from 1, three digits).
func (l *testLibrary) manyLoans(p library.Patron, n, overdue int, prefix string) []library.Loan {
	l.t.Helper()
	loc := l.cfg.Location()
	loans := make([]library.Loan, n)
	l.update(func(tx library.Tx) error {
		for i := range loans {
			due := today.AddDays(i - overdue)
			if i >= overdue {
				due = today.AddDays(i - overdue + 1)
			}
			it := library.Item{Barcode: fmt.Sprintf("%s%06d", prefix, i+1), Title: fmt.Sprintf("Loan %03d", i+1),
				Author: "Author", CallNumber: fmt.Sprintf("QA76 %03d", i+1), Location: "Main Library 3/F"}
			if err := tx.CreateItem(&it); err != nil {
				return err
			}
			loans[i] = library.Loan{PatronID: p.ID, Item: it, CheckedOutAt: due.AddDays(-14).Time(loc).Add(11 * time.Hour), DueAt: due.EndOf(loc)}
			if err := tx.CreateLoan(&loans[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return loans
}

// longLoanDays lends students for 180 days, so that every loan of a long
// record made by manyLoans (due up to 120 days ahead) gains from a renewal.
func longLoanDays(c *library.Config) {
	cat := c.Categories["student"]
	cat.LoanDays = 180
	c.Categories["student"] = cat
}

// mustShowTitles fails unless the page lists exactly the loans titled want, in order.
func mustShowTitles(t *testing.T, what, page string, want []string) {
	t.Helper()
	if got := loanTitles(page); !slices.Equal(got, want) {
		t.Errorf("%s: %d rows %v, want %v", what, len(got), got, want)
	}
}

// loanRowTitle finds the title of a loan row on My Account and on the
// desk's page of a patron.
var loanRowTitle = regexp.MustCompile(`<th scope="row" class="item">(?:<details>\s*<summary>)?<(?:span|a) class="title"(?: href="/staff/items/\d+")?(?: lang="[^"]+")?>([^<]*)</`)

// loanTitles returns the titles of the loan rows on a page, in order.
func loanTitles(page string) []string {
	var titles []string
	for _, m := range loanRowTitle.FindAllStringSubmatch(page, -1) {
		titles = append(titles, m[1])
	}
	return titles
}

// titleRange is "Loan from" to "Loan to".
func titleRange(from, to int) []string {
	var want []string
	for i := from; i <= to; i++ {
		want = append(want, fmt.Sprintf("Loan %03d", i))
	}
	return want
}

// mustShowLoans fails unless the page lists exactly the loans from to to,
// with page n of the pager marked current.
func mustShowLoans(t *testing.T, what, page string, from, to, n int) {
	t.Helper()
	if got, want := loanTitles(page), titleRange(from, to); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s: %d rows %v, want %d rows %v", what, len(got), got, len(want), want)
	}
	cur := fmt.Sprintf(`id="page-%d" aria-current="page"`, n)
	// The other is the navigation's link to My Account or to the desk's patrons.
	if !strings.Contains(page, cur) || strings.Count(page, `aria-current="page"`) != 2 {
		t.Errorf("%s: page %d is not the only current page", what, n)
	}
}

// signedInPatron gives p a PIN of their own and signs them in.
func (l *testLibrary) signedInPatron(p library.Patron) *client {
	l.t.Helper()
	l.chosenPIN(p, "reading-room-7")
	c := l.client()
	c.mustSignIn(p.Barcode, "reading-room-7", "/account")
	return c
}

// TestAccountPages proves a long borrowing record is shown a page of 50
// loans at a time, overdue first then by due date, with a pager; that the
// totals at the top count every loan; that any page number shows a page;
// and that renewing from a page comes back to it.
func TestAccountPages(t *testing.T) {
	l := newLibrary(t, longLoanDays)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	loans := l.manyLoans(p, 120, 10, "3")
	c := l.signedInPatron(p)

	res := c.get("/account")
	if res.status != http.StatusOK {
		t.Fatalf("page 1: %d", res.status)
	}
	mustShowLoans(t, "page 1", res.body, 1, 50, 1)
	body := text(res.body)
	mustContain(t, body, "Loans 1–50 of 120", "Items on loan 120", "Overdue 10", "Fines accruing HKD 55.00",
		"Renew all renews every one of your 120 loans, on every page.")
	mustContain(t, res.body, `<nav class="pages" aria-label="Pages of your loans">`,
		`href="/account?page=2#loans" rel="next" id="page-next"`, `href="/account?page=3#loans" aria-label="Page 3" id="page-3"`,
		`<input type="hidden" name="page" value="1">`)
	mustNotContain(t, res.body, `rel="prev"`)
	if cc := res.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("page 1: Cache-Control %q", cc)
	}

	// The last page: the rest, with the totals still over every loan
	// though none of the overdue loans is on it.
	res = c.get("/account?page=3")
	mustShowLoans(t, "page 3", res.body, 101, 120, 3)
	mustContain(t, text(res.body), "Loans 101–120 of 120", "Items on loan 120", "Overdue 10", "Fines accruing HKD 55.00")
	mustContain(t, res.body, `href="/account?page=2#loans" rel="prev" id="page-prev"`, `href="/account#loans" aria-label="Page 1" id="page-1"`)
	mustNotContain(t, res.body, `rel="next"`)

	// A page number out of range or malformed shows the nearest page, or the first.
	for _, tc := range []struct {
		query string
		from  int
		to    int
		page  int
	}{
		{"page=999", 101, 120, 3},
		{"page=99999999999999999999999", 101, 120, 3},
		{"page=abc", 1, 50, 1},
		{"page=0", 1, 50, 1},
		{"page=-2", 1, 50, 1},
		{"page=", 1, 50, 1},
		{"page=2.5", 1, 50, 1},
		{"page=%202%20", 51, 100, 2},
		{"page=2&page=3", 51, 100, 2},
	} {
		res := c.get("/account?" + tc.query)
		if res.status != http.StatusOK {
			t.Errorf("%s: %d", tc.query, res.status)
			continue
		}
		mustShowLoans(t, tc.query, res.body, tc.from, tc.to, tc.page)
	}

	// Renewing one loan from page 2 comes back to page 2 with the outcome.
	page2 := c.get("/account?page=2")
	mustShowLoans(t, "page 2", page2.body, 51, 100, 2)
	sixty := loans[59]
	res = c.post("/account/renew", with(form(t, page2.body, "/account/renew"), "loan", id(sixty), "selected", "1"))
	if res.status != http.StatusOK {
		t.Fatalf("renew from page 2: %d\n%s", res.status, text(res.body))
	}
	mustContain(t, text(res.body), "Renewed 1 of 1", "Loan 060: renewed", "Loans 51–100 of 120")
	// Loan 060, now due last, has left page 2.
	mustShowTitles(t, "after renewing from page 2", res.body, append(titleRange(51, 59), titleRange(61, 101)...))
	mustContain(t, res.body, `<input type="hidden" name="page" value="2">`)
	for _, ln := range l.openLoans(p) {
		if want := map[bool]int{true: 1}[ln.ID == sixty.ID]; ln.Renewals != want {
			t.Errorf("%s: %d renewals, want %d", ln.Item.Title, ln.Renewals, want)
		}
	}

	// Nothing ticked on page 2: the form error, and still page 2.
	res = c.post("/account/renew", with(form(t, page2.body, "/account/renew"), "selected", "1"))
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("renew nothing from page 2: %d", res.status)
	}
	mustContain(t, text(res.body), "Select at least one item to renew", "Loans 51–100 of 120")
	mustShowTitles(t, "nothing ticked on page 2", res.body, append(titleRange(51, 59), titleRange(61, 101)...))
}

// TestAccountPagesRenewAll proves Renew all on a page of the record renews
// every loan, on every page, and comes back to the page it was sent from;
// and that its outcomes list at most 50 loans, refusals first, and count
// the rest.
func TestAccountPagesRenewAll(t *testing.T) {
	l := newLibrary(t, longLoanDays)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	l.manyLoans(p, 60, 0, "3")
	// Two loans at the renewal limit, due last: on the last page.
	l.loan(p, "40000001", "At the limit 1", today, today.AddDays(200), 2)
	l.loan(p, "40000002", "At the limit 2", today, today.AddDays(201), 2)
	c := l.signedInPatron(p)
	page2 := c.get("/account?page=2")
	if got := loanTitles(page2.body); len(got) != 12 || got[0] != "Loan 051" || got[11] != "At the limit 2" {
		t.Fatalf("page 2 lists %v", got)
	}
	res := c.post("/account/renew", with(form(t, page2.body, "/account/renew"), "all", "1"))
	if res.status != http.StatusOK {
		t.Fatalf("renew all from page 2: %d", res.status)
	}
	body := text(res.body)
	mustContain(t, body, "Renewed 60 of 62", "Loans 51–62 of 62",
		"…and 12 more, not listed here: 12 renewed, 0 not renewed.")
	if got := strings.Count(res.body, `<li class="renewed">`) + strings.Count(res.body, `<li class="refused">`); got != 50 {
		t.Errorf("%d outcomes listed one by one, want 50", got)
	}
	if i, j := strings.Index(body, "At the limit 2: not renewed"), strings.Index(body, "Loan 001: renewed"); i < 0 || j < 0 || i > j {
		t.Errorf("refusals are not listed before renewals")
	}
	if got := loanTitles(res.body); len(got) != 12 || got[0] != "Loan 051" {
		t.Errorf("after renewing all, the page lists %v", got)
	}
	for _, ln := range l.openLoans(p) {
		if want := map[bool]int{true: 2, false: 1}[strings.HasPrefix(ln.Item.Title, "At the limit")]; ln.Renewals != want {
			t.Errorf("%s: %d renewals, want %d", ln.Item.Title, ln.Renewals, want)
		}
	}
}

// TestAccountShortRecordHasNoPager proves a record that fits on one page
// has no pager, and that one loan more than a page makes two pages.
func TestAccountShortRecordHasNoPager(t *testing.T) {
	l := newLibrary(t, nil)
	for _, tc := range []struct {
		barcode string
		loans   int
		pager   bool
	}{
		{"24031501", 3, false},
		{"24031502", 50, false},
		{"24031503", 51, true},
	} {
		p := l.patron(tc.barcode, "Patron "+tc.barcode, nil)
		l.manyLoans(p, tc.loans, 1, tc.barcode[6:])
		c := l.signedInPatron(p)
		res := c.get("/account?page=2")
		if res.status != http.StatusOK {
			t.Fatalf("%d loans: %d", tc.loans, res.status)
		}
		body := text(res.body)
		mustContain(t, body, fmt.Sprintf("Items on loan %d", tc.loans))
		if !tc.pager {
			if got := len(loanTitles(res.body)); got != tc.loans {
				t.Errorf("%d loans: %d rows", tc.loans, got)
			}
			mustNotContain(t, res.body, `class="pages"`, `name="page"`, `id="loans-range"`, `renew-all-hint`)
			mustNotContain(t, body, "Loans 1–")
			continue
		}
		mustShowLoans(t, "51 loans, page 2", res.body, 51, 51, 2)
		mustContain(t, body, "Loans 51–51 of 51")
	}
}

// TestAccountPagesChinese proves the pager speaks Traditional Chinese (Hong Kong).
func TestAccountPagesChinese(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	l.manyLoans(p, 1000, 0, "3")
	c := l.signedInPatron(p)
	c.header.Set("Accept-Language", "zh-Hant-HK")
	res := c.get("/account?page=2")
	if res.status != http.StatusOK {
		t.Fatalf("page 2: %d", res.status)
	}
	mustShowLoans(t, "page 2 of 20", res.body, 51, 100, 2)
	mustContain(t, text(res.body), "借閱項目第 51–100 項（共 1,000 項）", "上一頁", "下一頁", "全部 1,000 項借閱")
	mustContain(t, res.body, `aria-label="你的借閱項目頁數"`, `aria-label="第 20 頁"`)
	mustNotContain(t, res.body, "Loans 51", i18n.MissingMarker)
	// Pages 1 to 4, a gap, and the last: a few links, however many pages.
	if got := strings.Count(res.body, `class="gap"`); got != 1 {
		t.Errorf("%d gaps in the page numbers, want 1", got)
	}
	for _, n := range []int{1, 2, 3, 4, 20} {
		mustContain(t, res.body, fmt.Sprintf(`id="page-%d"`, n))
	}
	mustNotContain(t, res.body, `id="page-5"`, `id="page-19"`)
}
