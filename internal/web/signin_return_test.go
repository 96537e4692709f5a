package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// signInFor is where a signed-out visit to path of My Account is sent: the
// sign-in page, with the page to come back to.
func signInFor(path string) string {
	if path == "/account" {
		return "/account/login"
	}
	return "/account/login?next=" + url.QueryEscape(path)
}

// TestSignInReturnsToPageAskedFor proves that a patron who goes to a page
// of My Account while signed out is sent to sign in with that page in a
// hidden field, keeps it through a failed try, and lands there after
// signing in; and that a patron already signed in goes straight there.
func TestSignInReturnsToPageAskedFor(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")

	for _, path := range []string{"/account/sessions", "/account/password", "/account?page=1"} {
		c := l.client()
		res := c.get(path)
		if res.status != http.StatusSeeOther || res.location() != signInFor(path) {
			t.Fatalf("GET %s signed out: %d to %q, want %q", path, res.status, res.location(), signInFor(path))
		}
		login := c.get(res.location())
		mustContain(t, login.body, `<input type="hidden" name="next" value="`+path+`">`)
		failed := c.submit(login.body, "/account/login", "barcode", "2406 2953", "pin", "wrong-pin-1")
		if failed.status != http.StatusUnauthorized {
			t.Fatalf("wrong PIN: %d", failed.status)
		}
		mustContain(t, failed.body, `<input type="hidden" name="next" value="`+path+`">`, `value="24062953"`)
		res = c.submit(failed.body, "/account/login", "pin", "reading-room-7")
		if res.status != http.StatusSeeOther || res.location() != path {
			t.Fatalf("signed in from %s: %d to %q", path, res.status, res.location())
		}
		if page := c.get(res.location()); page.status != http.StatusOK {
			t.Errorf("GET %s signed in: %d", path, page.status)
		}
		// Already signed in: the sign-in page leads on to the page asked for.
		if res := c.get(signInFor(path)); res.status != http.StatusSeeOther || res.location() != path {
			t.Errorf("sign-in page for %s, signed in: %d to %q", path, res.status, res.location())
		}
	}

	// A sign-in without next, the page asked for before, goes to the record.
	l.client().mustSignIn("24062953", "reading-room-7", "/account")
}

// TestSignInNextStaysOnMyAccount proves the page to come back to can only
// be a page of My Account on this site: other sites however written, other
// parts of the site, and the sign-in page itself all give /account, both
// in the form and after signing in.
func TestSignInNextStaysOnMyAccount(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")

	refused := []string{
		"//evil.example", "//evil.example/account", "///evil.example/account",
		`/\evil.example`, `/\/evil.example`, `\\evil.example`,
		"https://evil.example/account", "http:/account", "HTTPS://evil.example",
		"%2F%2Fevil.example", "/%2F%2Fevil.example", "/%2F/evil.example", "/%5Cevil.example",
		"javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,hi",
		"/\t/evil.example", "/account/sessions\r\nSet-Cookie: a=b", " /account/sessions",
		"/account/../staff", "/account/%2e%2e/staff", "/account/..%2Fstaff",
		"/staff", "/", "/account@evil.example", "/accounts", "/account/login", "/account/login?next=//evil.example",
		"evil.example/account",
	}
	for _, next := range refused {
		page := l.client().get("/account/login?next=" + url.QueryEscape(next))
		if got := form(t, page.body, "/account/login").Get("next"); page.status != http.StatusOK || got != "" {
			t.Errorf("next %q: the sign-in page (%d) carries on %q", next, page.status, got)
		}
		res := l.client().post("/account/login", url.Values{"barcode": {"24062953"}, "pin": {"reading-room-7"}, "next": {next}})
		if res.status != http.StatusSeeOther || res.location() != "/account" {
			t.Errorf("next %q: signed in to %d %q, want /account", next, res.status, res.location())
		}
	}

	// Pages of My Account are kept, cleaned and with their query; a page
	// that only takes POST gives the page it belongs to.
	kept := map[string]string{
		"/account/sessions":            "/account/sessions",
		"/account/sessions/":           "/account/sessions",
		"/account/./sessions":          "/account/sessions",
		"/account?page=2":              "/account?page=2",
		"/account/renew":               "/account",
		"/account/sessions/end":        "/account/sessions",
		"/account/sessions#this":       "/account/sessions",
		"/account/catalogue?q=a+b%26c": "/account/catalogue?q=a+b%26c",
	}
	for next, want := range kept {
		res := l.client().post("/account/login", url.Values{"barcode": {"24062953"}, "pin": {"reading-room-7"}, "next": {next}})
		if res.status != http.StatusSeeOther || res.location() != want {
			t.Errorf("next %q: signed in to %d %q, want %q", next, res.status, res.location(), want)
		}
	}
}

// TestForcedChangeThenPageAskedFor proves that a patron on the barcode
// preset who asked for a page of My Account chooses a new PIN first, on a
// form that does not ask again for the preset just typed, and then lands on
// the page asked for, which says the PIN is saved. In the same session a
// later change asks for the old PIN again; the forced change still needs
// the form's CSRF token.
func TestForcedChangeThenPageAskedFor(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	c := l.client()

	login := c.get(c.get("/account/sessions").location())
	res := c.submit(login.body, "/account/login", "barcode", "2403 1588", "pin", "24031588")
	if want := "/account/password?next=%2Faccount%2Fsessions"; res.status != http.StatusSeeOther || res.location() != want {
		t.Fatalf("sign-in with the preset: %d to %q, want %q", res.status, res.location(), want)
	}
	// Asking for another page first still leads to the change.
	if res := c.get("/account/sessions"); res.location() != "/account/password?next=%2Faccount%2Fsessions" {
		t.Errorf("GET /account/sessions on the preset: to %q", res.location())
	}
	page := c.get(res.location())
	mustContain(t, page.body, `<input type="hidden" name="next" value="/account/sessions">`, `id="new_pin"`, `id="confirm_pin"`)
	mustNotContain(t, page.body, `id="old_pin"`, `name="old_pin"`, "Old password")

	// Without the form's CSRF token nothing changes.
	if res := c.post("/account/password", url.Values{"new_pin": {"reading-room-7"}, "confirm_pin": {"reading-room-7"}, "next": {"/account/sessions"}}); res.status != http.StatusForbidden {
		t.Errorf("forced change without the CSRF token: %d, want 403", res.status)
	}
	if got := l.pinOf(p).Kind; got != library.PINPreset {
		t.Fatalf("the PIN changed without a CSRF token: %s", got)
	}
	// A refusal keeps the way on, and still asks for no old PIN.
	refused := c.submit(page.body, "/account/password", "new_pin", "my24031588", "confirm_pin", "my24031588")
	if refused.status != http.StatusUnprocessableEntity {
		t.Fatalf("a new PIN holding the barcode: %d", refused.status)
	}
	mustContain(t, refused.body, `<input type="hidden" name="next" value="/account/sessions">`, `id="new_pin-error"`)
	mustNotContain(t, refused.body, `id="old_pin"`)

	res = c.submit(refused.body, "/account/password", "new_pin", "reading-room-7", "confirm_pin", "reading-room-7")
	if res.status != http.StatusSeeOther || res.location() != "/account/sessions?done=pin" {
		t.Fatalf("the forced change: %d to %q\n%s", res.status, res.location(), text(res.body))
	}
	if got := l.pinOf(p).Kind; got != library.PINChosen {
		t.Fatalf("PIN kind %s after the change", got)
	}
	sessions := c.get(res.location())
	if sessions.status != http.StatusOK {
		t.Fatalf("the page asked for: %d", sessions.status)
	}
	mustContain(t, text(sessions.body), "Your new PIN is saved.")

	// The same session, a PIN of the patron's own now: the old one is asked.
	page = c.get("/account/password")
	mustContain(t, page.body, `id="old_pin"`, "Old password")
	res = c.submit(page.body, "/account/password", "new_pin", "lantern-by-the-pier", "confirm_pin", "lantern-by-the-pier")
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a second change without the old PIN: %d", res.status)
	}
	mustContain(t, text(res.body), "Enter your old password")
	res = c.submit(page.body, "/account/password", "old_pin", "24031588", "new_pin", "lantern-by-the-pier", "confirm_pin", "lantern-by-the-pier")
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a second change with the preset as the old PIN: %d", res.status)
	}
	mustContain(t, text(res.body), "old password is not right")
	res = c.submit(page.body, "/account/password", "old_pin", "reading-room-7", "new_pin", "lantern-by-the-pier", "confirm_pin", "lantern-by-the-pier")
	if res.status != http.StatusSeeOther || res.location() != "/account?done=pin" {
		t.Errorf("a second change with the old PIN: %d to %q", res.status, res.location())
	}
}
