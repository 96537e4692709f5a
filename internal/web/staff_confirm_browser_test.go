package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/carrel-library/carrel/internal/library"
)

// TestBrowserDeskConfirmSteps drives Chromium through the desk's
// confirmation steps: Reset PIN shows the question with Confirm and
// Cancel, Cancel goes back with the PIN unchanged, Confirm shows the slip;
// Complete registration asks with the expiry date it will set. The pages
// touched (the confirmation, the patron page with its block form and a
// block's message, the check-out of a blocked patron, My Account with the
// message) are checked with axe-core.
func TestBrowserDeskConfirmSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	l := newLibrary(t, nil)
	l.staff("dee", library.RoleDesk)
	reader := l.patron("24031588", "Wong Ka Yan", nil)
	l.chosenPIN(reader, "reading-room-7")
	holder := l.patron("24062953", "Chan Tai Man", func(p *library.Patron) {
		p.RegisteredOn, p.ExpiresOn, p.PIN = library.Date{}, library.Date{}, library.PINRecord{Kind: library.PINNone}
	})
	blocked := l.patron("24099999", "Ho Ka Yan", nil)
	l.chosenPIN(blocked, "reading-room-8")
	desk := library.Actor{Name: "staff:dee", StaffID: 1, Role: library.RoleDesk}
	if _, err := l.svc.BlockPatronWith(l.ctx, desk, blocked.ID, library.Block{Reason: "lost Fortress Besieged",
		Notice: library.BlockNotice{Reason: library.BlockLostItem, Shown: true}}); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	textOf := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
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

	readerURL := l.url + "/staff/patrons/" + fmt.Sprint(reader.ID)
	do("ask to reset", chromedp.Navigate(readerURL), chromedp.WaitVisible(chromedp.ID("reset-pin")),
		follow(chromedp.ID("reset-pin")), chromedp.WaitVisible(chromedp.ID("confirm")))
	if got := textOf("h1"); got != "Reset the PIN of Wong Ka Yan (24031588)?" {
		t.Errorf("confirmation heading %q", got)
	}
	checkAxe(t, ctx, "reset confirmation")
	do("cancel", follow(chromedp.ID("cancel")), chromedp.WaitVisible(chromedp.ID("reset-pin")))
	if got := l.pinOf(reader).Kind; got != library.PINChosen {
		t.Fatalf("Cancel reset the PIN: %s", got)
	}
	do("reset and confirm", follow(chromedp.ID("reset-pin")), chromedp.WaitVisible(chromedp.ID("confirm")),
		follow(chromedp.ID("confirm")), chromedp.WaitVisible(chromedp.ID("slip-pin")))
	if got := l.pinOf(reader).Kind; got != library.PINTemporary {
		t.Errorf("after Confirm the PIN is %s", got)
	}

	holderURL := l.url + "/staff/patrons/" + fmt.Sprint(holder.ID)
	shoot(t, ctx, holderURL, "staff-patron-holder")
	do("ask to register", chromedp.Navigate(holderURL), chromedp.WaitVisible(chromedp.ID("register")),
		follow(chromedp.ID("register")), chromedp.WaitVisible(chromedp.ID("confirm")))
	if got := textOf("#confirm-body"); !strings.Contains(got, "valid until 27 Nov 2027") {
		t.Errorf("registration confirmation: %q", got)
	}
	checkAxe(t, ctx, "registration confirmation")
	do("confirm registration", follow(chromedp.ID("confirm")), chromedp.WaitVisible(chromedp.ID("reset-pin")))
	if p := l.patronNow(holder.ID); !p.Registered() || p.ExpiresOn != library.NewDate(2027, 11, 27) {
		t.Errorf("after Confirm: registered %v, expires %s", p.Registered(), p.ExpiresOn)
	}

	shoot(t, ctx, l.url+"/staff/patrons/"+fmt.Sprint(blocked.ID), "staff-patron-blocked")
	shoot(t, ctx, l.url+"/staff/checkout?patron=24099999", "staff-checkout-blocked")
	if got := textOf("#at-desk-notice"); !strings.Contains(got, "The patron is told: An item you borrowed is recorded as lost") {
		t.Errorf("check-out: %q", got)
	}
	do("patron signs in",
		chromedp.Navigate(l.url+"/account/login"),
		chromedp.WaitVisible(chromedp.ID("barcode")),
		chromedp.SendKeys(chromedp.ID("barcode"), "24099999"),
		chromedp.SendKeys(chromedp.ID("pin"), "reading-room-8"),
		follow(chromedp.ID("ok")),
		chromedp.WaitVisible(chromedp.ID("loans-title")),
	)
	shoot(t, ctx, l.url+"/account", "account-blocked")
	if got := textOf("main"); !strings.Contains(got, "Replace or pay for the lost item at the Circulation Counter.") {
		t.Errorf("My Account of the blocked patron: %q", got)
	}
}
