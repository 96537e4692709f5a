package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/carrel-library/carrel/internal/library"
)

// TestBrowserScanDesk drives real Chromium through the circulation desk as
// a barcode scanner does: it types each barcode and Enter into whatever
// has focus, without clicking. Every scan lands only if focus is in the
// barcode field on arrival and stays there after each answer.
func TestBrowserScanDesk(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	l := newLibrary(t, nil)
	l.staff("dee", library.RoleDesk)
	borrower := l.patron("24031588", "Wong Ka Yan", nil)
	waiter := l.patron("24062953", "Chan Tai Man", nil)
	l.item("30000001", "Introduction to Algorithms")
	l.item("30000002", "Gödel, Escher, Bach")
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
	// focused names the element with focus, waiting up to two seconds for
	// it to settle on the scan field: autofocus lands after the page has
	// loaded, later on a busy machine.
	focused := func() string {
		t.Helper()
		var got string
		for deadline := time.Now().Add(2 * time.Second); ; {
			got = get(chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
			if got == "scan" || got == "q" || time.Now().After(deadline) {
				return got
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	latest := func() string {
		t.Helper()
		return get(chromedp.Text(chromedp.ID("scan-latest")))
	}
	// scan types a barcode and Enter as a scanner does, into the focused
	// element, and waits for the answer page.
	scan := func(barcode string) {
		t.Helper()
		do("scan "+barcode, leavePage(chromedp.KeyEvent(barcode+"\r")))
		if got := focused(); got != "scan" {
			t.Fatalf("after scanning %s focus is on %q, not the barcode field", barcode, got)
		}
	}

	do("sign in",
		chromedp.Navigate(l.url+"/staff/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "dee"),
		chromedp.SendKeys(chromedp.ID("password"), deskPassword),
		follow(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
	// The desk's home: the patron search field has focus, ready for a card.
	if got := focused(); got != "q" {
		t.Errorf("desk home: focus on %q", got)
	}
	do("open check-out", follow(chromedp.CSS(`a[href="/staff/checkout"]`)), chromedp.WaitVisible(chromedp.ID("scan")))
	if got := focused(); got != "scan" {
		t.Fatalf("check-out page: focus on %q, not the barcode field", got)
	}

	// The patron's card, then two items and an unknown one, one after another.
	scan("24031588")
	if got := get(chromedp.Text(chromedp.ID("at-desk-title"))); !strings.Contains(got, "Wong Ka Yan") {
		t.Errorf("patron at the desk: %q", got)
	}
	scan("30000001")
	if got := latest(); !strings.Contains(got, "Lent: Introduction to Algorithms (30000001), due 12 Dec 2026.") {
		t.Errorf("first item: %q", got)
	}
	scan("30000002")
	if got := latest(); !strings.Contains(got, "Lent: Gödel, Escher, Bach (30000002), due 12 Dec 2026.") {
		t.Errorf("second item: %q", got)
	}
	scan("30000099")
	if got := latest(); !strings.Contains(got, "No item has the barcode 30000099.") {
		t.Errorf("unknown item: %q", got)
	}
	lines := get(chromedp.Evaluate[string](`Array.from(document.querySelectorAll("#scan-list li")).map(function (li) { return li.textContent.replace(/\s+/g, " ").trim(); }).join("\n")`))
	if n := strings.Count(lines, "\n") + 1; n != 3 || !strings.Contains(lines, "Introduction to Algorithms") {
		t.Errorf("running list has %d lines:\n%s", n, lines)
	}
	if n := len(l.openLoans(borrower)); n != 2 {
		t.Errorf("%d loans after two scans", n)
	}
	// Focus wandered off (a click on the page): the next scan still lands.
	get(chromedp.Evaluate[string](`document.activeElement.blur(), "blurred"`))
	if got := focused(); got == "scan" {
		t.Fatal("the field kept focus after blur")
	}
	do("scan after a click elsewhere", leavePage(chromedp.KeyEvent("30000099\r")))
	if got := latest(); !strings.Contains(got, "No item has the barcode 30000099.") {
		t.Errorf("scan typed with focus elsewhere: %q", got)
	}
	shoot(t, ctx, l.url+"/staff/checkout?patron=24031588", "staff-checkout")

	// Someone waits for the first book; its check-in traps it.
	if _, err := l.svc.PlaceHold(l.ctx, library.CommandLine, waiter.ID, "30000001"); err != nil {
		t.Fatal(err)
	}
	do("open check-in", follow(chromedp.CSS(`a[href="/staff/checkin"]`)), chromedp.WaitVisible(chromedp.ID("scan")))
	if got := focused(); got != "scan" {
		t.Fatalf("check-in page: focus on %q", got)
	}
	scan("30000001")
	got := latest()
	if !strings.Contains(got, "Returned: Introduction to Algorithms (30000001).") ||
		!strings.Contains(got, "Put it on the hold shelf for Chan Tai Man (24062953), to be picked up by 5 Dec 2026.") {
		t.Errorf("check-in of a held item: %q", got)
	}
	scan("30000002")
	if got := latest(); !strings.Contains(got, "Returned: Gödel, Escher, Bach (30000002).") || strings.Contains(got, "hold shelf") {
		t.Errorf("check-in: %q", got)
	}
	if n := len(l.openLoans(borrower)); n != 0 {
		t.Errorf("%d loans after checking both in", n)
	}
	if got := get(chromedp.Evaluate[string](`document.querySelectorAll("#scan-list li").length + ""`)); got != "2" {
		t.Errorf("check-in list has %s lines", got)
	}
	shoot(t, ctx, l.url+"/staff/patrons/"+fmt.Sprint(borrower.ID), "staff-patron")
}

// leavePage runs an action that submits a form and waits until the answer
// page has loaded, as follow does for a click.
func leavePage(a chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`window.carrelLeaving = true`)(ctx, t)
			return err
		}),
		a,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			deadline := time.Now().Add(10 * time.Second)
			for {
				loaded, err := chromedp.Evaluate[bool](`!window.carrelLeaving && document.readyState === "complete"`)(ctx, t)
				if err == nil && loaded {
					return nil
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("no new page loaded (last error: %v)", err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}),
	)
}
