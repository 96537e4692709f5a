package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// TestDeskPatronLoanPages proves the desk's page of a patron lists the
// patron's loans 50 a page like My Account, with the count over every
// loan, and that renewing at the desk from a page comes back to it.
func TestDeskPatronLoanPages(t *testing.T) {
	l := newLibrary(t, longLoanDays)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	loans := l.manyLoans(p, 120, 10, "3")
	c := l.staffClient(l.staff("desk1", library.RoleDesk))
	path := "/staff/patrons/" + idOf(p.ID)

	res := c.get(path)
	if res.status != http.StatusOK {
		t.Fatalf("page 1: %d", res.status)
	}
	mustShowLoans(t, "desk page 1", res.body, 1, 50, 1)
	mustContain(t, text(res.body), "Current loans (120)", "Loans 1–50 of 120",
		"Renew all renews every one of the patron's 120 loans, on every page.")
	mustContain(t, res.body, `<nav class="pages" aria-label="Pages of the patron`,
		`href="`+path+`?page=2#loans" rel="next" id="page-next"`)

	res = c.get(path + "?page=3")
	mustShowLoans(t, "desk page 3", res.body, 101, 120, 3)
	mustContain(t, text(res.body), "Current loans (120)", "Loans 101–120 of 120")
	for _, q := range []string{"?page=999", "?page=x"} {
		res := c.get(path + q)
		if res.status != http.StatusOK {
			t.Errorf("%s: %d", q, res.status)
		}
	}
	mustShowLoans(t, "desk ?page=999", c.get(path+"?page=999").body, 101, 120, 3)
	mustShowLoans(t, "desk ?page=x", c.get(path+"?page=x").body, 1, 50, 1)

	page2 := c.get(path + "?page=2")
	mustShowLoans(t, "desk page 2", page2.body, 51, 100, 2)
	res = c.post(path+"/renew", with(form(t, page2.body, path+"/renew"), "loan", id(loans[69]), "selected", "1"))
	if res.status != http.StatusOK {
		t.Fatalf("renew at the desk from page 2: %d\n%s", res.status, text(res.body))
	}
	mustContain(t, text(res.body), "Renewed 1 of 1", "Loan 070", "Loans 51–100 of 120")
	// Loan 070, now due last, has left page 2.
	mustShowTitles(t, "desk, after renewing from page 2", res.body, append(titleRange(51, 69), titleRange(71, 101)...))
	renewed := 0
	for _, ln := range l.openLoans(p) {
		renewed += ln.Renewals
		if ln.ID == loans[69].ID && ln.Renewals != 1 {
			t.Errorf("Loan 070: %d renewals", ln.Renewals)
		}
	}
	if renewed != 1 {
		t.Errorf("%d renewals in all, want 1", renewed)
	}
}

// TestDeskPatronFewLoansHasNoPager proves a patron with a few loans has
// them all on the desk's page, with no pager.
func TestDeskPatronFewLoansHasNoPager(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	l.manyLoans(p, 3, 1, "3")
	c := l.staffClient(l.staff("desk1", library.RoleDesk))
	res := c.get("/staff/patrons/" + idOf(p.ID) + "?page=2")
	if got := loanTitles(res.body); strings.Join(got, ",") != "Loan 001,Loan 002,Loan 003" {
		t.Errorf("rows %v", got)
	}
	mustContain(t, text(res.body), "Current loans (3)")
	mustNotContain(t, res.body, `class="pages"`, `name="page"`, `id="loans-range"`)
}
