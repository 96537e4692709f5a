package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/carrel-library/carrel/internal/library"
)

// TestBrowserPaymentAndCashUp drives real Chromium through a payment at
// the desk as a clerk does it: the amount typed, the method chosen by
// clicking its radio button, the slip's number left empty for cash; the
// payment's receipt opened and its Print button shown; then the cash-up,
// reached from the desk's navigation, counting it.
func TestBrowserPaymentAndCashUp(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	l := newLibrary(t, nil)
	l.staff("dee", library.RoleDesk)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	l.charge(p, 1250)
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
	do("sign in",
		chromedp.Navigate(l.url+"/staff/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "dee"),
		chromedp.SendKeys(chromedp.ID("password"), deskPassword),
		follow(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
	purl := l.url + "/staff/patrons/" + strconv.FormatInt(p.ID, 10)
	do("pay without choosing how",
		chromedp.Navigate(purl),
		chromedp.WaitVisible(chromedp.ID("pay_amount")),
		chromedp.SendKeys(chromedp.ID("pay_amount"), "5"),
		follow(chromedp.ID("pay")),
		chromedp.WaitVisible(chromedp.ID("pay_method-error")),
	)
	// The error summary's link leads to the first choice.
	if got := get(chromedp.Evaluate[string](`document.querySelector('.error-summary a[href="#pay_method"]') ? "linked" : ""`)); got != "linked" {
		t.Error("the error summary does not link to the method's choices")
	}
	do("choose cash and pay",
		chromedp.Click(chromedp.ID("pay_method")),
		follow(chromedp.ID("pay")),
		chromedp.WaitVisible(chromedp.ID("print-receipt")),
	)
	if got := get(chromedp.Text(chromedp.ID("just-paid"))); !strings.Contains(got, "C20261128-001") {
		t.Errorf("after paying: %q", got)
	}
	paidURL := get(chromedp.Location())
	do("open the receipt",
		follow(chromedp.ID("print-receipt")),
		chromedp.WaitVisible(chromedp.ID("receipt-number")),
		chromedp.WaitVisible(chromedp.CSS("button[data-print]")),
	)
	if got := get(chromedp.Text(chromedp.ID("receipt-amount"))); got != "HKD 5.00" {
		t.Errorf("receipt amount %q", got)
	}
	do("open the cash-up",
		follow(chromedp.CSS(`a[href="/staff/cashup"]`)),
		chromedp.WaitVisible(chromedp.ID("by-method")),
		chromedp.WaitVisible(chromedp.CSS("button[data-print]")),
	)
	if got := get(chromedp.Text(chromedp.ID("cash-expected"))); !strings.Contains(got, "HKD 5.00") {
		t.Errorf("cash expected: %q", got)
	}
	shoot(t, ctx, l.url+"/staff/cashup", "staff-cashup")
	shoot(t, ctx, paidURL, "staff-payment")
}
