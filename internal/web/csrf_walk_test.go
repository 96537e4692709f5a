package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// tokenless are the POST routes that take no session token, and why. They
// have no session to take one from, so only the browser's word on where a
// request comes from (Origin, Sec-Fetch-Site) protects them; the walk
// sends them the cross-site attacks only. Every other POST route, today's
// and any added later, must refuse a request without its session's token.
var tokenless = map[string]string{
	"POST /account/login": "signing in: there is no session yet",
	"POST /staff/login":   "signing in to the desk: there is no staff session yet",
	"POST /lang":          "the language switch: it sets only the language cookie, with or without a session",
}

// csrfAttack is one way a request from another site can arrive.
type csrfAttack struct {
	name   string
	token  func(good, otherKind string) string // the csrf field sent
	header http.Header
	// needsToken is set for the attacks only the token stops.
	needsToken bool
}

var csrfAttacks = []csrfAttack{
	{"missing token", func(string, string) string { return "" }, nil, true},
	{"wrong token", func(good, _ string) string { return wrongToken(good) }, nil, true},
	{"the other session kind's token", func(_, other string) string { return other }, nil, true},
	{"Origin: https://evil.example", func(good, _ string) string { return good }, http.Header{"Origin": {"https://evil.example"}}, false},
	{"Sec-Fetch-Site: cross-site", func(good, _ string) string { return good }, http.Header{"Sec-Fetch-Site": {"cross-site"}}, false},
}

// TestCSRFWalk walks every POST route the server registers, each with a
// signed-in session of the kind the route takes (a patron's, a staff
// member's, or a staff sign-in awaiting its code) and a form that would
// do the route's action, under every attack: no token, a wrong one, the
// other kind of session's token, Origin: https://evil.example and
// Sec-Fetch-Site: cross-site. Each gets 403 with the "nothing was changed"
// page, and every table of the database is as it was. The same request
// from this site with the session's token is then not refused, so it is
// the attack alone that was.
func TestCSRFWalk(t *testing.T) {
	f := newWalkFixture(t)
	for pattern := range tokenless {
		if !slices.Contains(f.patterns, pattern) {
			t.Errorf("tokenless lists %s, which is not registered", pattern)
		}
	}
	var posts []string
	for _, pattern := range f.patterns {
		switch method, _ := methodPath(pattern); method {
		case http.MethodPost, "":
			posts = append(posts, pattern)
		case http.MethodGet:
		default:
			t.Errorf("route %s: the walks know GET and POST only; add %s to them", pattern, method)
		}
	}
	for _, pattern := range posts {
		path, ok := f.path(pattern)
		if !ok {
			t.Errorf("route %s: the walk has no id for its wildcard; add one to walkFixture.path", pattern)
			continue
		}
		// The sessions the route takes: a patron's, an admin's (who may
		// do everything at the desk), or both kinds of sign-in halfway.
		var sessions []*client
		switch access, ok := f.access[pattern]; {
		case !staffPattern(pattern):
			sessions = []*client{f.patronA}
		case !ok:
			t.Errorf("route %s is registered but not in staffRoutes", pattern)
		case access == "pending":
			sessions = []*client{f.pending(), f.enrolling()}
		default:
			sessions = []*client{f.admin}
		}
		for _, c := range sessions {
			f.csrfAttacks(pattern, path, c)
		}
	}
	if len(posts) < 30 {
		t.Errorf("only %d POST routes walked", len(posts))
	}
}

// csrfAttacks sends the attacks to one route with client c's session,
// then the same request from this site with the token.
func (f *walkFixture) csrfAttacks(pattern, path string, c *client) {
	t := f.l.t
	t.Helper()
	// The session's token, and one of the other kind.
	token, other := f.token(c), f.token(f.admin)
	if c == f.admin || staffPattern(pattern) {
		other = f.token(f.patronA)
	}
	form := f.actionForm(pattern)
	before := f.snapshot(sessionBookkeeping...)
	f.tick()
	for _, a := range csrfAttacks {
		if a.needsToken && tokenless[pattern] != "" {
			continue
		}
		sent := with(form)
		if tok := a.token(token, other); tok != "" {
			sent.Set("csrf", tok)
		}
		c.header = a.header
		res := c.post(path, sent)
		c.header = http.Header{}
		if res.status != http.StatusForbidden || !strings.Contains(text(res.body), "Nothing was changed") {
			t.Errorf("%s with %s: %d %q, want 403 and the page saying nothing was changed", pattern, a.name, res.status, res.location())
		}
	}
	if d := before.diff(f.snapshot(sessionBookkeeping...)); d != "" {
		t.Errorf("%s: refused requests changed the database:%s", pattern, d)
	}
	// The same request from this site, with the token, is let through to
	// the route (what it then does depends on the route).
	c.header = f.sameSite()
	res := c.post(path, with(form, "csrf", token))
	c.header = http.Header{}
	if res.status == http.StatusForbidden {
		t.Errorf("%s from this site with the token: 403 %s", pattern, text(res.body))
	}
}

// token returns the CSRF token of the client's session, from the page its
// session shows first.
func (f *walkFixture) token(c *client) string {
	f.l.t.Helper()
	switch c {
	case f.patronA, f.admin:
		return csrf(f.l.t, f.signedIn(c).body)
	}
	res := c.get("/staff/login/code")
	if res.status == http.StatusSeeOther {
		res = c.get(res.location())
	}
	return csrf(f.l.t, res.body)
}

// staffPattern reports whether a pattern is one of the staff desk's.
func staffPattern(pattern string) bool {
	_, p := methodPath(pattern)
	return p == "/staff" || strings.HasPrefix(p, "/staff/")
}

// actionForm is the form the walk posts to a route: every field of every
// state-changing form, filled in so that the action would go through
// were the request not refused. Staff actions name patron B and the item
// on the shelf.
func (f *walkFixture) actionForm(pattern string) url.Values {
	v := url.Values{
		// My Account.
		"all": {"1"}, "loan": {idOf(f.aFree.ID)},
		"old_pin": {pinA}, "new_pin": {newPINA}, "confirm_pin": {newPINA},
		// The desk.
		"patron": {f.b.Barcode}, "item": {f.shelf.Barcode}, "patron_barcode": {f.b.Barcode}, "item_barcode": {f.aLoan.Item.Barcode},
		"block_reason": {"test"}, "expires_on": {"2030-01-01"}, "new_barcode": {"24099999"}, "old_barcode": {f.b.Barcode},
		"name": {"Chan Tai Man"}, "category": {"student"}, "email": {"chan@example.edu.hk"},
		"pay_amount": {"1"}, "pay_method": {"cash"}, "waive_amount": {"1"}, "waive_note": {"goodwill"}, "override": {"the patron needs it today"},
		"barcode": {"39999999"}, "title": {"A New Book"}, "author": {"An Author"}, "call_number": {"QA76"}, "location": {"3/F"},
		"code": {"000000"}, "request": {library.NewRequestToken()}, "device": {"a-device-of-this-patron"},
	}
	switch pattern {
	case "POST /account/login":
		v = url.Values{"barcode": {f.a.Barcode}, "pin": {pinA}}
	case "POST /staff/login":
		v = url.Values{"username": {"ada"}, "password": {adminPassword}}
	case "POST /lang":
		v = url.Values{"lang": {"en"}, "next": {"/account"}}
	}
	return v
}

// A's PIN after the walk's request to change it.
const newPINA = "lantern-festival-2026"

// signedIn returns the home page of patron A's or the admin's client,
// signing in again first when a request of the walk (Log out, sign out
// everywhere) ended its session.
func (f *walkFixture) signedIn(c *client) response {
	f.l.t.Helper()
	home, pins, signIn := "/account", []string{pinA, newPINA}, func(pin string) response { return c.signIn(f.a.Barcode, pin) }
	if c == f.admin {
		home, pins, signIn = "/staff", []string{adminPassword}, func(pw string) response { return c.staffSignIn("ada", pw) }
	}
	res := c.get(home)
	for _, pin := range pins {
		if res.status == http.StatusOK {
			break
		}
		signIn(pin)
		res = c.get(home)
	}
	if res.status != http.StatusOK {
		f.l.t.Fatalf("%s: %d, and signing in again did not help", home, res.status)
	}
	return res
}
