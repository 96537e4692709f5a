package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// TestPatronWalk follows a student from the first sign-in with the barcode
// preset to signing in with a new PIN, through every account page.
func TestPatronWalk(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	overdue := l.loan(p, "30000001", "Introduction to Algorithms", today.AddDays(-18), today.AddDays(-4), 0)
	dueToday := l.loan(p, "30000002", "The Art of Computer Programming", today.AddDays(-14), today, 0)
	limit := l.loan(p, "30000003", "Structure and Interpretation of Computer Programs", today.AddDays(-30), today.AddDays(3), 2)
	l.loan(p, "30000004", "Gödel, Escher, Bach", today.AddDays(-60), today.AddDays(-40), 0)
	l.loan(p, "30000005", "A Pattern Language", today.AddDays(-2), today.AddDays(20), 0)

	c := l.client()
	home := c.get("/")
	mustContain(t, home.body, `href="/account/login"`, "My Account")

	// Sign in with the preset: the barcode itself, typed with a space and in lower case.
	c.mustSignIn("2403 1588", "24031588", "/account/password")
	first := c.sessionCookie()
	if first == "" {
		t.Fatal("no session cookie after sign-in")
	}

	// Every account page leads to Change Password until a PIN is chosen,
	// and on to the page asked for after that.
	for path, want := range map[string]string{"/account": "/account/password", "/account?x=1": "/account/password?next=%2Faccount%3Fx%3D1"} {
		if res := c.get(path); res.status != http.StatusSeeOther || res.location() != want {
			t.Errorf("GET %s with a preset PIN: got %d to %q, want %q", path, res.status, res.location(), want)
		}
	}
	page := c.get("/account/password")
	if page.status != http.StatusOK {
		t.Fatalf("password page: %d", page.status)
	}
	mustContain(t, text(page.body), "Change Password", "New password", "Confirm new password",
		"Choose a new PIN to continue", "worked out by anyone who holds your card", "at least 8 characters")
	// The preset was typed moments ago to sign in: it is not asked again.
	mustNotContain(t, page.body, "Old password", `id="old_pin"`)
	token := csrf(t, page.body)
	res := c.post("/account/renew", url.Values{"csrf": {token}, "all": {"1"}})
	if res.status != http.StatusSeeOther || res.location() != "/account/password" {
		t.Errorf("renew with a preset PIN: got %d to %q", res.status, res.location())
	}
	if got := l.openLoans(p)[0].Renewals; got != 0 {
		t.Errorf("renew with a preset PIN changed a loan: %d renewals", got)
	}

	// The policy's refusals, each beside its field. An old PIN sent all the
	// same is not checked.
	refusals := []struct {
		old, new, confirm string
		field, want       string
	}{
		{"", "", "", "new_pin", "Enter a new password"},
		{"24031588", "short", "short", "new_pin", "too short: use at least 8 characters"},
		{"24031588", "password1", "password1", "new_pin", "too common"},
		{"24031588", "my24031588card", "my24031588card", "new_pin", "must not contain your patron barcode"},
		{"24031588", "wongkayan rocks", "wongkayan rocks", "new_pin", "must not contain your name"},
		{"wrong-old-pin", "reading-room-7", "reading-room-8", "confirm_pin", "does not match"},
	}
	for _, r := range refusals {
		res := c.post("/account/password", url.Values{"csrf": {token}, "old_pin": {r.old}, "new_pin": {r.new}, "confirm_pin": {r.confirm}})
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("change to %q: status %d, want 422", r.new, res.status)
		}
		mustContain(t, res.body, `id="`+r.field+`-error"`, `href="#`+r.field+`"`, `aria-invalid="true"`)
		mustContain(t, text(res.body), r.want)
		mustNotContain(t, res.body, r.old, "reading-room-7")
	}
	if got := l.pinOf(p).Kind; got != library.PINPreset {
		t.Fatalf("after refusals the PIN kind is %s", got)
	}

	// Another device signed in with the preset is signed out by the change.
	other := l.client()
	other.mustSignIn("24031588", "24031588", "/account/password")

	res = c.post("/account/password", url.Values{"csrf": {token}, "new_pin": {"reading-room-7"}, "confirm_pin": {"reading-room-7"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change PIN: %d\n%s", res.status, text(res.body))
	}
	record := c.get(res.location())
	mustContain(t, text(record.body), "Your new PIN is saved. Other devices signed in to your account were signed out.")
	if res := other.get("/account/password"); res.status != http.StatusSeeOther || res.location() != signInFor("/account/password") {
		t.Errorf("other device after the change: got %d to %q, want a redirect to sign-in", res.status, res.location())
	}

	// The borrowing record: who, overdue first, due dates in words.
	rec := text(record.body)
	mustContain(t, rec, "Wong Ka Yan", "Student", "24031588",
		"4 days overdue", "due today", "due in 3 days", "40 days overdue",
		"Introduction to Algorithms", "Author of Introduction to Algorithms", "QA76.6 .C001", "30000001",
		"24 Nov 2026", "10 Nov 2026", "HKD 4.00", "already renewed 2 times, the limit",
		"overdue by more than 30 days: please return it", "Renew selected", "Renew all", "Log out", "Change Password")
	if i, j := indexOf(rec, "Gödel"), indexOf(rec, "A Pattern Language"); i < 0 || j < 0 || i > j {
		t.Errorf("overdue loans are not listed first")
	}

	// Renew selected: two can be renewed, one is at its limit.
	token = csrf(t, record.body)
	res = c.post("/account/renew", url.Values{"csrf": {token}, "loan": {id(overdue), id(dueToday), id(limit)}})
	if res.status != http.StatusOK {
		t.Fatalf("renew selected: %d", res.status)
	}
	mustContain(t, text(res.body), "Renewed 2 of 3", "renewed, now due 12 Dec 2026",
		"not renewed: already renewed 2 times, the limit", "An overdue fine of HKD 4.00 was charged.")

	// Renew all: an outcome for each of the five. The two just renewed,
	// and the one due in 20 days, would gain nothing: none is renewed,
	// and no button offers to renew any more.
	res = c.post("/account/renew", url.Values{"csrf": {token}, "all": {"1"}})
	mustContain(t, text(res.body), "Renewed 0 of 5: 5 could not be renewed", "not renewed: overdue by more than 30 days: please return it",
		"not renewed: already due 12 Dec 2026: nothing to gain by renewing now",
		"A Pattern Language: not renewed: already due 18 Dec 2026: nothing to gain by renewing now",
		"None of your loans can be renewed now: each one says why.")
	mustNotContain(t, res.body, `id="renew-all"`)
	renewals := map[string]int{}
	for _, ln := range l.openLoans(p) {
		renewals[ln.Item.Barcode] = ln.Renewals
	}
	want := map[string]int{"30000001": 1, "30000002": 1, "30000003": 2, "30000004": 0, "30000005": 0}
	for bc, n := range want {
		if renewals[bc] != n {
			t.Errorf("item %s: %d renewals, want %d", bc, renewals[bc], n)
		}
	}

	// Nothing selected: a form error, nothing renewed.
	res = c.post("/account/renew", url.Values{"csrf": {token}})
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("renew nothing: %d", res.status)
	}
	mustContain(t, text(res.body), "Select at least one item to renew")

	// Log out: the cookie goes, and the old session is dead on the server.
	session := c.sessionCookie()
	res = c.post("/account/logout", url.Values{"csrf": {token}})
	if res.status != http.StatusSeeOther || res.location() != "/account/login?signed_out=1" {
		t.Fatalf("logout: %d to %q", res.status, res.location())
	}
	mustContain(t, c.get(res.location()).body, "You have signed out.")
	replay := l.client()
	replay.c.Jar.SetCookies(mustURL(l.url), []*http.Cookie{{Name: "carrel_session", Value: session}})
	if res := replay.get("/account"); res.status != http.StatusSeeOther || res.location() != "/account/login" {
		t.Errorf("old session after logout: got %d to %q", res.status, res.location())
	}

	// The preset no longer works; the new PIN does.
	if res := c.signIn("24031588", "24031588"); res.status != http.StatusUnauthorized {
		t.Errorf("preset after change: %d, want 401", res.status)
	}
	c.mustSignIn("24031588", "reading-room-7", "/account")
	if c.sessionCookie() == session || c.sessionCookie() == first {
		t.Error("sign-in reused a session id")
	}
}
