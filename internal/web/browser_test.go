package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/carrel-library/carrel/internal/library"
)

// chromiumPath finds Debian's Chromium. Without it the browser test is
// skipped, unless CARREL_TEST_CHROMIUM is set (as CI sets it), when a
// missing browser fails the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CARREL_CHROMIUM"), "/usr/bin/chromium"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CARREL_TEST_CHROMIUM") != "" {
		t.Fatal("CARREL_TEST_CHROMIUM is set but no Chromium was found at /usr/bin/chromium (apt-get install -y chromium)")
	}
	t.Skip("no Chromium at /usr/bin/chromium: skipping the browser test (apt-get install -y chromium to run it)")
	return ""
}

// newBrowser starts headless Chromium for the test; it stops when the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	// The deadline bounds the whole browser, in case it hangs.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() { bcancel(); acancel(); cancel() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return bctx
}

// follow clicks sel and waits until the page it leads to has loaded. The
// old page is marked first, so a wait cannot be met by the page being left.
func follow[S chromedp.Selectable](sel S) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`window.carrelLeaving = true`)(ctx, t)
			return err
		}),
		chromedp.Click(sel),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			// Evaluating fails while the old page's context is torn down; retry.
			deadline := time.Now().Add(10 * time.Second)
			for {
				loaded, err := chromedp.Evaluate[bool](`!window.carrelLeaving && document.readyState === "complete"`)(ctx, t)
				if err == nil && loaded {
					return nil
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("no new page loaded after the click (last error: %v)", err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}),
	)
}

// TestBrowserWalk drives real Chromium through the patron's pages by
// typing and clicking: the My Account link, Reset, Cancel, the show-PIN
// toggle, the forced PIN change, renewing, logging out and signing in again.
func TestBrowserWalk(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>Library</title><h1 id="library-home">The library's home page</h1>`))
	}))
	defer home.Close()
	l := newLibrary(t, func(c *library.Config) { c.HomeURL = home.URL + "/" })
	p := l.patron("24031588", "Wong Ka Yan", nil)
	due := l.loan(p, "30000001", "Introduction to Algorithms", today.AddDays(-12), today.AddDays(2), 0)
	l.loan(p, "30000002", "Gödel, Escher, Bach", today.AddDays(-20), today.AddDays(-6), 0)
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
	location := func() string { t.Helper(); return get(chromedp.Location()) }
	pageText := func() string { t.Helper(); return get(chromedp.Text(chromedp.CSS("body"))) }

	// From the home page's My Account link to the sign-in form.
	do("open the sign-in page",
		chromedp.Navigate(l.url+"/"),
		follow(chromedp.CSS(`a[href="/account/login"]`)),
		chromedp.WaitVisible(chromedp.ID("barcode")),
	)
	if got := get(chromedp.Text(chromedp.CSS("h1"))); got != "Borrowing Record" {
		t.Errorf("sign-in heading %q", got)
	}

	// Reset clears what was typed, and hides a shown PIN again.
	do("type, show the PIN, reset",
		chromedp.SendKeys(chromedp.ID("barcode"), "24031588"),
		chromedp.SendKeys(chromedp.ID("pin"), "secret-typed"),
		chromedp.WaitVisible(chromedp.ID("show-pin")),
		chromedp.Click(chromedp.ID("show-pin")),
	)
	if typ := get(chromedp.Evaluate[string](`document.getElementById("pin").type`)); typ != "text" {
		t.Errorf("show PIN: field type %q, want text", typ)
	}
	do("reset", chromedp.Click(chromedp.ID("reset")))
	if b, pin := get(chromedp.Value(chromedp.ID("barcode"))), get(chromedp.Value(chromedp.ID("pin"))); b != "" || pin != "" {
		t.Errorf("after Reset: barcode %q, PIN %q", b, pin)
	}
	if typ := get(chromedp.Evaluate[string](`document.getElementById("pin").type`)); typ != "password" {
		t.Errorf("after Reset: PIN field type %q, want password", typ)
	}

	// Cancel goes to the library's home page.
	do("cancel", follow(chromedp.ID("cancel")), chromedp.WaitVisible(chromedp.ID("library-home")))
	if got := location(); got != home.URL+"/" {
		t.Errorf("Cancel went to %q, want %q", got, home.URL+"/")
	}

	// OK with nothing typed: the error summary, with focus on it.
	do("submit empty",
		chromedp.Navigate(l.url+"/account/login"),
		follow(chromedp.ID("ok")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")),
	)
	if got := get(chromedp.Evaluate[string](`document.activeElement.className`)); got != "error-summary" {
		t.Errorf("focus after a form error is on %q, want the error summary", got)
	}

	// Sign in with the barcode preset; the PIN must be changed first, and
	// the preset just typed is not asked again.
	do("sign in with the preset",
		chromedp.SendKeys(chromedp.ID("barcode"), "2403 1588"),
		chromedp.SendKeys(chromedp.ID("pin"), "24031588"),
		follow(chromedp.ID("ok")),
		chromedp.WaitVisible(chromedp.ID("new_pin")),
	)
	if got := location(); !strings.HasSuffix(got, "/account/password") {
		t.Fatalf("after a preset sign-in: %s", got)
	}
	if n := get(chromedp.Evaluate[string](`String(document.querySelectorAll("#old_pin").length)`)); n != "0" {
		t.Errorf("the forced change asks for the preset again")
	}
	if got := get(chromedp.Evaluate[string](`document.activeElement.id`)); got != "new_pin" {
		t.Errorf("focus on the forced change is on %q, want new_pin", got)
	}
	shoot(t, ctx, l.url+"/account/password", "password")
	do("try a short PIN",
		chromedp.SendKeys(chromedp.ID("new_pin"), "short"),
		chromedp.SendKeys(chromedp.ID("confirm_pin"), "short"),
		follow(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("new_pin-error")),
	)
	if got := get(chromedp.Text(chromedp.ID("new_pin-error"))); !strings.Contains(got, "at least 8 characters") {
		t.Errorf("short PIN message %q", got)
	}
	checkAxe(t, ctx, "the forced change after a refusal")
	do("choose a PIN",
		chromedp.SendKeys(chromedp.ID("new_pin"), "reading-room-7"),
		chromedp.SendKeys(chromedp.ID("confirm_pin"), "reading-room-7"),
		follow(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.CSS("table.loans")),
	)
	body := pageText()
	for _, want := range []string{"Your new PIN is saved.", "6 days overdue", "due in 2 days", "Wong Ka Yan"} {
		if !strings.Contains(body, want) {
			t.Errorf("borrowing record lacks %q", want)
		}
	}
	shoot(t, ctx, l.url+"/account", "account")

	// Renew one, then all.
	do("renew selected",
		chromedp.Click(chromedp.ID("loan-"+id(due))),
		follow(chromedp.ID("renew-selected")),
		chromedp.WaitVisible(chromedp.CSS(".results")),
	)
	if got := get(chromedp.Text(chromedp.ID("results-title"))); got != "Renewed 1 of 1" {
		t.Errorf("renew selected: %q", got)
	}
	do("renew all", follow(chromedp.ID("renew-all")), chromedp.WaitVisible(chromedp.CSS(".results")))
	// The loan just renewed would gain nothing: not renewed again.
	if got := get(chromedp.Text(chromedp.ID("results-title"))); got != "Renewed 1 of 2: 1 could not be renewed" {
		t.Errorf("renew all: %q", got)
	}
	checkAxe(t, ctx, "renew all, one refused")

	// The language switch: the same page, in Chinese, until switched back.
	do("switch to Chinese",
		follow(chromedp.CSS(`button[name="lang"][value="zh-Hant-HK"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hant-HK"] table.loans`)),
	)
	if got := get(chromedp.Text(chromedp.CSS("h1"))); got != "借閱紀錄" {
		t.Errorf("Chinese heading %q", got)
	}
	shoot(t, ctx, l.url+"/account", "account-zh")
	do("switch back to English",
		follow(chromedp.CSS(`button[name="lang"][value="en"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] table.loans`)),
	)

	// Log out, then the old PIN is refused and the new one works.
	do("log out", follow(chromedp.CSS("button.logout")), chromedp.WaitVisible(chromedp.ID("barcode")))
	if !strings.Contains(pageText(), "You have signed out.") {
		t.Error("no signed-out message")
	}
	do("sign in with the old PIN",
		chromedp.SendKeys(chromedp.ID("barcode"), "24031588"),
		chromedp.SendKeys(chromedp.ID("pin"), "24031588"),
		follow(chromedp.ID("ok")),
		chromedp.WaitVisible(chromedp.CSS(".notice.error")),
	)
	if !strings.Contains(pageText(), "The patron barcode or PIN is not right") {
		t.Error("old PIN: no failure message")
	}
	// The barcode typed is kept; the PIN is not.
	if b, pin := get(chromedp.Value(chromedp.ID("barcode"))), get(chromedp.Value(chromedp.ID("pin"))); b != "24031588" || pin != "" {
		t.Errorf("after a failed sign-in: barcode %q, PIN %q; want 24031588 and nothing", b, pin)
	}
	checkAxe(t, ctx, "the sign-in page after a failure")
	do("sign in with the new PIN",
		chromedp.SendKeys(chromedp.ID("pin"), "reading-room-7"),
		follow(chromedp.ID("ok")),
		chromedp.WaitVisible(chromedp.CSS("table.loans")),
	)
	do("log out again", follow(chromedp.CSS("button.logout")), chromedp.WaitVisible(chromedp.ID("barcode")))
	shoot(t, ctx, l.url+"/account/login", "login")

	// A page asked for while signed out is where signing in leads.
	do("sign in from the list of devices",
		chromedp.Navigate(l.url+"/account/sessions"),
		chromedp.WaitVisible(chromedp.ID("barcode")),
		chromedp.SendKeys(chromedp.ID("barcode"), "24031588"),
		chromedp.SendKeys(chromedp.ID("pin"), "reading-room-7"),
		follow(chromedp.ID("ok")),
		chromedp.WaitVisible(chromedp.ID("sessions")),
	)
	if got := location(); got != l.url+"/account/sessions" {
		t.Errorf("signed in from the list of devices to %s", got)
	}
}

// shoot saves screenshots of a page at desktop and phone widths under
// /tmp, for a person to look at (the repository gets none), and checks the
// page with axe-core at each width: every page a test shoots is checked.
func shoot(t *testing.T, ctx context.Context, url, name string) {
	t.Helper()
	for _, w := range []int64{1280, 390} {
		var png []byte
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(w, 900),
			chromedp.Navigate(url),
			chromedp.WaitVisible(chromedp.CSS("main")),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				var err error
				png, err = chromedp.FullScreenshot(100)(ctx, tg)
				return err
			}),
		)
		if err != nil {
			t.Fatalf("screenshot %s at %d: %v", name, w, err)
		}
		path := filepath.Join(os.TempDir(), "carrel-"+name+"-"+strconv.FormatInt(w, 10)+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		checkAxe(t, ctx, name+" at "+strconv.FormatInt(w, 10)+" px")
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
}
