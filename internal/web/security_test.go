package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// signedInPatron boots a library with a signed-in patron who has one loan.
func signedInPatron(t *testing.T) (*testLibrary, library.Patron, *client, string) {
	t.Helper()
	l := newLibrary(t, nil)
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")
	l.loan(p, "30000001", "Introduction to Algorithms", today.AddDays(-10), today.AddDays(4), 0)
	c := l.client()
	c.mustSignIn("24062953", "reading-room-7", "/account")
	return l, p, c, csrf(t, c.get("/account").body)
}

// TestCSRF proves every state-changing account form needs the session's
// token and a same-origin browser, and that a refused request changes nothing.
func TestCSRF(t *testing.T) {
	l, p, c, token := signedInPatron(t)
	pinBefore := l.pinOf(p)
	forms := []struct {
		path string
		form url.Values
	}{
		{"/account/renew", url.Values{"all": {"1"}}},
		{"/account/password", url.Values{"old_pin": {"reading-room-7"}, "new_pin": {"harbour-lights-1997"}, "confirm_pin": {"harbour-lights-1997"}}},
		{"/account/logout", url.Values{}},
	}
	attacks := []struct {
		name   string
		token  string
		header http.Header
	}{
		{"missing token", "", nil},
		{"wrong token", wrongToken(token), nil},
		{"other origin", token, http.Header{"Origin": {"https://evil.example"}}},
		{"cross-site fetch", token, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
	}
	for _, f := range forms {
		for _, a := range attacks {
			form := url.Values{}
			for k, v := range f.form {
				form[k] = v
			}
			if a.token != "" {
				form.Set("csrf", a.token)
			}
			c.header = a.header
			res := c.post(f.path, form)
			c.header = http.Header{}
			if res.status != http.StatusForbidden {
				t.Errorf("%s with %s: status %d, want 403", f.path, a.name, res.status)
			}
			mustContain(t, text(res.body), "Nothing was changed")
		}
	}
	if l.openLoans(p)[0].Renewals != 0 {
		t.Error("a refused renewal renewed a loan")
	}
	if got := l.pinOf(p); got.Hash != pinBefore.Hash {
		t.Error("a refused PIN change changed the PIN")
	}
	if res := c.get("/account"); res.status != http.StatusOK {
		t.Errorf("a refused logout ended the session: %d", res.status)
	}
	// Signing in from another site is refused too (login CSRF).
	c.header = http.Header{"Origin": {"https://evil.example"}}
	if res := c.signIn("24062953", "reading-room-7"); res.status != http.StatusForbidden {
		t.Errorf("cross-origin sign-in: %d, want 403", res.status)
	}
	c.header = http.Header{}
	// The same requests from this site with the token do work.
	c.header = http.Header{"Origin": {l.url}, "Sec-Fetch-Site": {"same-origin"}}
	if res := c.post("/account/renew", url.Values{"csrf": {token}, "all": {"1"}}); res.status != http.StatusOK {
		t.Errorf("same-origin renew: %d", res.status)
	}
}

// TestHeaders proves every response carries the security headers, pages
// with personal data are not stored, and pages say they are HTML.
func TestHeaders(t *testing.T) {
	l, _, c, _ := signedInPatron(t)
	css := regexp.MustCompile(`href="(/static/carrel\.[0-9a-f]{12}\.css)"`).FindStringSubmatch(c.get("/account").body)
	if css == nil {
		t.Fatal("no content-hashed stylesheet link")
	}
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	}
	pages := []struct {
		path, contentType, cache string
		status                   int
	}{
		{"/", "text/html; charset=utf-8", "no-store", 200},
		{"/account", "text/html; charset=utf-8", "no-store", 200},
		{"/account/password", "text/html; charset=utf-8", "no-store", 200},
		{"/nowhere", "text/html; charset=utf-8", "no-store", 404},
		{"/healthz", "text/plain; charset=utf-8", "no-store", 200},
		{css[1], "text/css; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/static/carrel.000000000000.css", "text/html; charset=utf-8", "no-store", 404},
	}
	for _, pg := range pages {
		res := c.get(pg.path)
		if res.status != pg.status {
			t.Errorf("%s: status %d, want %d", pg.path, res.status, pg.status)
		}
		for k, v := range want {
			if got := res.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", pg.path, k, got, v)
			}
		}
		if got := res.header.Get("Content-Type"); got != pg.contentType {
			t.Errorf("%s: Content-Type %q, want %q", pg.path, got, pg.contentType)
		}
		if got := res.header.Get("Cache-Control"); got != pg.cache {
			t.Errorf("%s: Cache-Control %q, want %q", pg.path, got, pg.cache)
		}
	}
	login := l.client().get("/account/login")
	if login.header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(login.body, "<!doctype html>") {
		t.Errorf("sign-in page: Cache-Control %q", login.header.Get("Cache-Control"))
	}
	// The session cookie is HttpOnly, SameSite=Lax, for the whole site.
	res := l.client().signIn("24062953", "reading-room-7")
	sc := res.header.Get("Set-Cookie")
	for _, attr := range []string{"carrel_session=", "Path=/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("session cookie %q lacks %s", sc, attr)
		}
	}
}

// TestBodyLimit proves a form over 64 KiB is refused with 413.
func TestBodyLimit(t *testing.T) {
	l := newLibrary(t, nil)
	res := l.client().post("/account/login", url.Values{"barcode": {strings.Repeat("1", 70<<10)}, "pin": {"x"}})
	if res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", res.status)
	}
}

// TestHealth proves /healthz answers ok while the database does.
func TestHealth(t *testing.T) {
	l := newLibrary(t, nil)
	res := l.client().get("/healthz")
	if res.status != http.StatusOK || res.body != "ok" {
		t.Errorf("healthz: %d %q", res.status, res.body)
	}
}

// TestSignedOutVisitor proves account pages send a visitor without a
// session to sign in, and that logging out without one is harmless.
func TestSignedOutVisitor(t *testing.T) {
	l := newLibrary(t, nil)
	c := l.client()
	for _, path := range []string{"/account", "/account/password", "/account/sessions"} {
		if res := c.get(path); res.status != http.StatusSeeOther || res.location() != signInFor(path) {
			t.Errorf("GET %s: %d to %q", path, res.status, res.location())
		}
	}
	if res := c.post("/account/renew", url.Values{"all": {"1"}}); res.status != http.StatusSeeOther || res.location() != "/account/login" {
		t.Errorf("POST /account/renew: %d to %q", res.status, res.location())
	}
	if res := c.post("/account/logout", nil); res.status != http.StatusSeeOther || res.location() != "/account/login" {
		t.Errorf("POST /account/logout: %d to %q", res.status, res.location())
	}
}
