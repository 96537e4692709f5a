package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAccountPages drives real Chromium through a long borrowing
// record with the keyboard alone: Tab reaches the pager after the loans,
// Enter on Next opens page 2 at the list, the next Tab lands on its first
// loan, and renewing it from there comes back to page 2.
func TestBrowserAccountPages(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	l := newLibrary(t, longLoanDays)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	loans := l.manyLoans(p, 120, 10, "3")
	l.chosenPIN(p, "reading-room-7")
	ctx := newBrowser(t)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	get := func(a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	focused := func() string {
		t.Helper()
		return get(chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	}
	firstTitle := func() string {
		t.Helper()
		return get(chromedp.Text(chromedp.CSS("table.loans tbody .title")))
	}

	do("sign in",
		chromedp.Navigate(l.url+"/account/login"),
		chromedp.WaitVisible(chromedp.ID("barcode")),
		chromedp.SendKeys(chromedp.ID("barcode"), p.Barcode),
		chromedp.SendKeys(chromedp.ID("pin"), "reading-room-7"),
		follow(chromedp.ID("ok")),
		chromedp.WaitVisible(chromedp.CSS("nav.pages")),
	)
	if got := get(chromedp.Evaluate[string](`document.querySelector("nav.pages").getAttribute("aria-label")`)); got != "Pages of your loans" {
		t.Errorf("pager's name %q", got)
	}
	if got := get(chromedp.Evaluate[string](`document.querySelector('nav.pages [aria-current="page"]').id`)); got != "page-1" {
		t.Errorf("current page link %q, want page-1", got)
	}

	// Tab from the top of the page to Next, past every control before it.
	tabs := 0
	for ; focused() != "page-next"; tabs++ {
		if tabs == 300 {
			t.Fatalf("300 Tabs did not reach the Next link; focus is on %q", focused())
		}
		do("Tab", chromedp.KeyEvent("\t"))
	}
	if tabs < 50 {
		t.Errorf("Next reached after %d Tabs: it should come after the 50 loans' checkboxes", tabs)
	}
	do("Enter on Next", leavePage(chromedp.KeyEvent("\r")))
	if got := get(chromedp.Location()); !strings.HasSuffix(got, "/account?page=2#loans") {
		t.Errorf("Next led to %s", got)
	}
	if got := firstTitle(); got != "Loan 051" {
		t.Errorf("page 2 starts with %q", got)
	}
	if got := get(chromedp.Evaluate[string](`document.querySelector('nav.pages [aria-current="page"]').id`)); got != "page-2" {
		t.Errorf("current page link %q, want page-2", got)
	}

	// The page opens at the list: the next Tabs are on the renew buttons
	// above it, then on its first loan.
	first := "loan-" + id(loans[50])
	for _, want := range []string{"renew-selected-top", "renew-all-top"} {
		do("Tab", chromedp.KeyEvent("\t"))
		if got := focused(); got != want {
			t.Errorf("Tab on page 2 went to %q, want %q", got, want)
		}
	}
	do("Tab into the list", chromedp.KeyEvent("\t"))
	if got := focused(); got != first {
		t.Errorf("first Tab on page 2 went to %q, want %q", got, first)
		do("focus the first loan", chromedp.Focus(chromedp.ID(first)))
	}
	do("tick it with Space", chromedp.KeyEvent(" "))
	do("Enter on Renew selected", chromedp.Focus(chromedp.ID("renew-selected")), leavePage(chromedp.KeyEvent("\r")))
	body := strings.Join(strings.Fields(get(chromedp.Text(chromedp.CSS("main")))), " ")
	for _, want := range []string{"Renewed 1 of 1", "Loan 051: renewed", "Loans 51–100 of 120"} {
		if !strings.Contains(body, want) {
			t.Errorf("after renewing from page 2, the page lacks %q:\n%s", want, body)
		}
	}
	// Loan 051, now due last, has left the page.
	if got := firstTitle(); got != "Loan 052" {
		t.Errorf("after renewing, the list starts with %q", got)
	}
	// Autofocus lands after the page has loaded, later on a busy machine.
	var onResults bool
	for deadline := time.Now().Add(2 * time.Second); !onResults && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		onResults = get(chromedp.Evaluate[string](`String(document.activeElement.classList.contains("results"))`)) == "true"
	}
	if !onResults {
		t.Errorf("after renewing, focus is on %q, not the outcome", get(chromedp.Evaluate[string](`document.activeElement.outerHTML.slice(0, 80)`)))
	}
	shoot(t, ctx, l.url+"/account?page=2", "account-pages")
}
