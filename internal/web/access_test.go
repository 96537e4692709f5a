package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// objectField is a form field by which a patron names one of their own
// things, and the value naming one of patron B's.
type objectField struct {
	pattern, field string
	theirs         func(f *walkFixture) string
}

// objectFields are every field of My Account that names a thing. A new
// form that names one by a field must be added here; one that names it
// in its path fails TestPatronCannotReachOthers until it is.
var objectFields = []objectField{
	{"POST /account/renew", "loan", func(f *walkFixture) string { return idOf(f.bLoan.ID) }},
	{"POST /account/sessions/end", "device", func(f *walkFixture) string {
		sessions, err := f.l.svc.PatronSessions(f.l.ctx, f.b.ID)
		if err != nil || len(sessions) == 0 {
			f.l.t.Fatalf("B's sessions: %v, %v", sessions, err)
		}
		return sessions[0].PublicID
	}},
}

// TestPatronCannotReachOthers proves that patron A, naming one of patron
// B's things (a loan to renew, a device to sign out), gets byte for byte
// the answer to naming a thing that does not exist, and that B's data
// (every table) is unchanged; and that no page of My Account shows A
// anything of B's.
func TestPatronCannotReachOthers(t *testing.T) {
	f := newWalkFixture(t)
	for _, pattern := range f.patterns {
		_, path := methodPath(pattern)
		if staffPattern(pattern) || path == "/static/{file}" || !wildcard.MatchString(strings.TrimSuffix(path, "{$}")) {
			continue
		}
		t.Errorf("route %s names something in its path: add it to the checks of TestPatronCannotReachOthers", pattern)
	}
	for _, o := range objectFields {
		method, path := methodPath(o.pattern)
		registered := false
		for _, p := range f.patterns {
			registered = registered || p == o.pattern
		}
		if !registered || method != http.MethodPost {
			t.Errorf("objectFields lists %s, which is not a registered POST route", o.pattern)
			continue
		}
		token := csrf(t, f.signedIn(f.patronA).body)
		theirs := o.theirs(f)
		before := f.snapshot(sessionBookkeeping...)
		f.tick()
		got := f.patronA.post(path, url.Values{"csrf": {token}, o.field: {theirs}})
		want := f.patronA.post(path, url.Values{"csrf": {token}, o.field: {missingID}})
		if got.status != want.status || got.location() != want.location() || got.body != want.body {
			t.Errorf("%s naming B's %s: %d to %q, not the answer for one that does not exist (%d to %q); bodies equal: %v",
				o.pattern, o.field, got.status, got.location(), want.status, want.location(), got.body == want.body)
		}
		if d := before.diff(f.snapshot(sessionBookkeeping...)); d != "" {
			t.Errorf("%s naming B's %s changed the database:%s", o.pattern, o.field, d)
		}
	}
	// B's session is still there: B is still signed in.
	if res := f.patronB.get("/account"); res.status != http.StatusOK {
		t.Errorf("B after A's requests: %d", res.status)
	}

	// No page of My Account shows A anything of B's.
	secrets := []string{f.b.Name, f.b.Barcode, f.bLoan.Item.Title, f.bLoan.Item.Barcode, "lost bookmark"}
	for _, pattern := range f.patterns {
		if method, _ := methodPath(pattern); staffPattern(pattern) || method != http.MethodGet {
			continue
		}
		path, ok := f.path(pattern)
		if !ok {
			continue // TestNoGETChangesState says so
		}
		for _, p := range []string{path, path + "?patron=" + idOf(f.b.ID) + "&id=" + idOf(f.b.ID) + "&barcode=" + f.b.Barcode} {
			res := f.patronA.get(p)
			for _, s := range secrets {
				if strings.Contains(res.body, s) {
					t.Errorf("GET %s as A shows B's %q", p, s)
				}
			}
		}
	}
}

// TestPatronsGetNothingFromStaffRoutes walks every staff route the server
// registers (but signing in and out, which anyone may use) with what a
// patron holds: no cookie, the patron's session cookie, and the patron's
// session token put in the staff cookie's name, each with the patron's
// token and a complete form. Every answer sends the browser to the staff
// sign-in, shows none of the library's data, and changes no table.
func TestPatronsGetNothingFromStaffRoutes(t *testing.T) {
	f := newWalkFixture(t)
	forged := f.l.client()
	forged.c.Jar.SetCookies(mustURL(f.l.url), []*http.Cookie{{Name: "carrel_staff", Value: f.patronA.sessionCookie()}})
	token := csrf(t, f.patronA.get("/account").body)
	visitors := []struct {
		name string
		c    *client
	}{{"anonymous", f.anonymous}, {"patron", f.patronA}, {"patron token as staff cookie", forged}}
	// Anyone may use the staff sign-in and sign-out, and nothing else.
	var open []string
	for pattern, access := range f.access {
		if access == "open" {
			open = append(open, pattern)
		}
	}
	slices.Sort(open)
	if want := []string{"GET /staff/login", "POST /staff/login", "POST /staff/logout"}; !slices.Equal(open, want) {
		t.Errorf("staff routes open to anyone: %v, want %v", open, want)
	}
	data := []string{f.b.Name, f.b.Barcode, f.bLoan.Item.Title, f.shelf.Title, "Staff ada"}
	walked := 0
	for _, pattern := range f.patterns {
		if !staffPattern(pattern) || f.access[pattern] == "open" {
			continue
		}
		walked++
		path, ok := f.path(pattern)
		if !ok {
			t.Errorf("route %s: the walk has no id for its wildcard; add one to walkFixture.path", pattern)
			continue
		}
		method, _ := methodPath(pattern)
		before := f.snapshot(sessionBookkeeping...)
		for _, v := range visitors {
			for _, m := range []string{http.MethodGet, http.MethodPost} {
				if method != "" && method != m {
					continue
				}
				res := v.c.send(m, path, with(f.actionForm(pattern), "csrf", token))
				if !toLogin(res) {
					t.Errorf("%s %s as %s: %d to %q, want the staff sign-in", m, path, v.name, res.status, res.location())
				}
				mustNotContain(t, res.body, data...)
			}
		}
		if d := before.diff(f.snapshot(sessionBookkeeping...)); d != "" {
			t.Errorf("%s without a staff session changed the database:%s", pattern, d)
		}
	}
	if walked < 30 {
		t.Errorf("only %d staff routes walked", walked)
	}
	// The forged cookie opened no session, and the patron's own still works.
	if res := f.patronA.get("/account"); res.status != http.StatusOK {
		t.Errorf("patron after the walk: %d", res.status)
	}
}

// TestDeskGetsNothingFromAdminRoutes walks every admin-only route the
// server registers as a desk account, with its token and a complete
// form: each is refused with 403 and the page of a missing thing, the
// same page whether the thing it names exists or not, and changes no
// table; an admin's same request is not refused.
func TestDeskGetsNothingFromAdminRoutes(t *testing.T) {
	f := newWalkFixture(t)
	admins := 0
	for _, pattern := range f.patterns {
		if f.access[pattern] != "admin" {
			continue
		}
		admins++
		path, ok := f.path(pattern)
		if !ok {
			t.Errorf("route %s: the walk has no id for its wildcard; add one to walkFixture.path", pattern)
			continue
		}
		method, _ := methodPath(pattern)
		if method == "" {
			method = http.MethodPost
		}
		deskToken := csrf(t, f.desk.get("/staff").body)
		before := f.snapshot(sessionBookkeeping...)
		f.tick()
		res := f.desk.send(method, path, with(f.actionForm(pattern), "csrf", deskToken))
		if res.status != http.StatusForbidden || !strings.Contains(text(res.body), "Page not found") {
			t.Errorf("%s as desk: %d, want 403 and the page of a missing thing", pattern, res.status)
		}
		if _, p := methodPath(pattern); wildcard.MatchString(p) {
			// The page's language switch returns to the page asked
			// for: that is the one difference allowed.
			other := f.desk.send(method, wildcard.ReplaceAllString(p, missingID), with(f.actionForm(pattern), "csrf", deskToken))
			if other.status != res.status || returnTo.ReplaceAllString(other.body, "") != returnTo.ReplaceAllString(res.body, "") {
				t.Errorf("%s as desk: the answer differs for a thing that does not exist (%d, %d)", pattern, res.status, other.status)
			}
		}
		if d := before.diff(f.snapshot(sessionBookkeeping...)); d != "" {
			t.Errorf("%s as desk changed the database:%s", pattern, d)
		}
		adminToken := csrf(t, f.admin.get("/staff").body)
		if res := f.admin.send(method, path, with(f.actionForm(pattern), "csrf", adminToken)); res.status == http.StatusForbidden || toLogin(res) {
			t.Errorf("%s as admin: %d to %q", pattern, res.status, res.location())
		}
	}
	if admins < 2 {
		t.Errorf("only %d admin routes walked", admins)
	}
}

// returnTo is the field of the language switch that names the page to
// return to.
var returnTo = regexp.MustCompile(`name="next" value="[^"]*"`)
