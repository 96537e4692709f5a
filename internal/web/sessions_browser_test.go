package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSessions drives real Chromium, which sends its own Origin and
// Sec-Fetch-Site headers, through the list of signed-in devices: from the
// borrowing record's link to the list, signing out another device, and
// signing out everywhere.
func TestBrowserSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	s := newSessionPatrons(t)
	laptop := s.chanOn(firefoxWindows)
	ctx := newBrowser(t)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	pageText := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(v), " ")
	}

	do("sign in",
		chromedp.Navigate(s.url+"/account/login"),
		chromedp.SendKeys(chromedp.ID("barcode"), s.chan_.Barcode),
		chromedp.SendKeys(chromedp.ID("pin"), chanPIN),
		follow(chromedp.ID("ok")),
		chromedp.WaitVisible(chromedp.ID("sessions-link")),
	)
	do("open the list", follow(chromedp.ID("sessions-link")), chromedp.WaitVisible(chromedp.ID("sessions")))
	body := pageText()
	for _, want := range []string{"Signed-in devices", "Chrome on Linux This device", "Firefox on Windows"} {
		if !strings.Contains(body, want) {
			t.Errorf("list lacks %q:\n%s", want, body)
		}
	}

	do("sign out the laptop",
		follow(chromedp.CSS(`form[action="/account/sessions/end"] button`)),
		chromedp.WaitVisible(chromedp.ID("sessions")),
	)
	if body := pageText(); !strings.Contains(body, "That device is signed out.") || strings.Contains(body, "Firefox on Windows") {
		t.Errorf("after signing out the laptop:\n%s", body)
	}
	mustGetNothing(t, s.testLibrary, laptop.sessionCookie(), s.chan_)

	do("sign out everywhere", follow(chromedp.ID("sign-out-everywhere")), chromedp.WaitVisible(chromedp.ID("barcode")))
	if body := pageText(); !strings.Contains(body, "You have signed out.") {
		t.Errorf("after signing out everywhere:\n%s", body)
	}
	do("back to the record", chromedp.Navigate(s.url+"/account"), chromedp.WaitVisible(chromedp.ID("barcode")))
	if n := len(s.publicIDs(s.chan_)); n != 0 {
		t.Errorf("%d sessions left", n)
	}
}
