package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// resultsClass finds the class of the renewal outcomes' box.
var resultsClass = regexp.MustCompile(`<section class="([^"]*)" role="status"[^>]*aria-labelledby="results-title"`)

// mustResultsClass fails unless the renewal outcomes' box on the page has
// exactly the given class.
func mustResultsClass(t *testing.T, what, page, want string) {
	t.Helper()
	m := resultsClass.FindStringSubmatch(page)
	if m == nil {
		t.Errorf("%s: no renewal outcomes on the page", what)
		return
	}
	if m[1] != want {
		t.Errorf("%s: outcomes box class %q, want %q", what, m[1], want)
	}
}

// TestRenewAllAfterRenewal proves Renew all just after a renewal does not
// renew that loan again: it is refused with its due date ("nothing to
// gain"), listed before the loans renewed, the summary says how many could
// not be renewed and is not shown as a success; once no loan can gain,
// the page says so instead of offering Renew all. In Chinese too.
func TestRenewAllAfterRenewal(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	first := l.loan(p, "30000001", "Introduction to Algorithms", today.AddDays(-10), today.AddDays(4), 0)
	l.loan(p, "30000002", "The Art of Computer Programming", today.AddDays(-12), today.AddDays(2), 0)
	c := l.signedInPatron(p)

	page := c.get("/account")
	res := c.post("/account/renew", with(form(t, page.body, "/account/renew"), "loan", id(first), "selected", "1"))
	if res.status != http.StatusOK {
		t.Fatalf("renew selected: %d", res.status)
	}
	mustContain(t, text(res.body), "Renewed 1 of 1", "Introduction to Algorithms: renewed, now due 12 Dec 2026")
	mustResultsClass(t, "every chosen loan renewed", res.body, "notice results")
	// The row of the loan just renewed says why it cannot be renewed now.
	mustContain(t, text(res.body), "already due 12 Dec 2026: nothing to gain by renewing now")
	mustContain(t, res.body, `id="renew-all"`)

	res = c.post("/account/renew", with(form(t, res.body, "/account/renew"), "all", "1"))
	if res.status != http.StatusOK {
		t.Fatalf("renew all: %d", res.status)
	}
	body := text(res.body)
	mustContain(t, body, "Renewed 1 of 2: 1 could not be renewed",
		"Introduction to Algorithms: not renewed: already due 12 Dec 2026: nothing to gain by renewing now",
		"The Art of Computer Programming: renewed, now due 12 Dec 2026")
	mustResultsClass(t, "one of two renewed", res.body, "notice results partial")
	if i, j := strings.Index(body, "Introduction to Algorithms: not renewed"), strings.Index(body, "The Art of Computer Programming: renewed"); i < 0 || j < 0 || i > j {
		t.Errorf("the refused loan is not listed first")
	}
	for _, ln := range l.openLoans(p) {
		if ln.Renewals != 1 || library.DateOf(ln.DueAt, l.cfg.Location()) != library.NewDate(2026, 12, 12) {
			t.Errorf("%s: %d renewals, due %s; want 1, 12 Dec 2026", ln.Item.Title, ln.Renewals, ln.DueAt)
		}
	}
	// No loan can gain now: no button that would renew nothing.
	mustContain(t, body, "None of your loans can be renewed now: each one says why.")
	mustNotContain(t, res.body, `id="renew-all"`, `id="renew-selected"`, `name="loan"`)

	c.header.Set("Accept-Language", "zh-Hant-HK")
	res = c.post("/account/renew", with(form(t, page.body, "/account/renew"), "all", "1"))
	mustContain(t, text(res.body), "已續借 0 項（共 2 項）：2 項未能續借", "已於2026年12月12日到期：現在續借不會延後到期日",
		"你的借閱項目現時都不能續借，原因見各項。")
	mustResultsClass(t, "none renewed, in Chinese", res.body, "notice results partial")
}

// TestDeskRenewNothingToGain proves the desk's renewal refuses a loan
// that would gain nothing, in staff's words, counts nothing and says
// plainly when no loan can be renewed.
func TestDeskRenewNothingToGain(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	fresh := l.loan(p, "30000001", "Introduction to Algorithms", today, today.AddDays(14), 0)
	l.loan(p, "30000002", "The Art of Computer Programming", today.AddDays(-12), today.AddDays(2), 0)
	c := l.staffClient(l.staff("desk1", library.RoleDesk))
	path := "/staff/patrons/" + idOf(p.ID)

	page := c.get(path)
	mustContain(t, text(page.body), "already due 12 Dec 2026: renewing now would not move the due date later")
	mustNotContain(t, page.body, `id="loan-`+id(fresh)+`"`)
	res := c.post(path+"/renew", with(form(t, page.body, path+"/renew"), "all", "1"))
	if res.status != http.StatusOK {
		t.Fatalf("desk renew all: %d\n%s", res.status, text(res.body))
	}
	body := text(res.body)
	mustContain(t, body, "Renewed 1 of 2: 1 could not be renewed",
		"Introduction to Algorithms: not renewed: already due 12 Dec 2026: renewing now would not move the due date later",
		"None of the patron's loans can be renewed now: each one says why.")
	mustResultsClass(t, "desk, one of two renewed", res.body, "notice results partial")
	if i, j := strings.Index(body, "Introduction to Algorithms: not renewed"), strings.Index(body, "The Art of Computer Programming: renewed"); i < 0 || j < 0 || i > j {
		t.Errorf("the refused loan is not listed first")
	}
	mustNotContain(t, res.body, `id="renew-all"`)
	for _, ln := range l.openLoans(p) {
		if want := map[bool]int{true: 0, false: 1}[ln.ID == fresh.ID]; ln.Renewals != want {
			t.Errorf("%s: %d renewals, want %d", ln.Item.Title, ln.Renewals, want)
		}
	}
}
