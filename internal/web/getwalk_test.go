package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// getChanges are the columns a GET of a route may change besides the
// sessions' own bookkeeping, and why. None may: the two-factor set-up
// pages, which kept a new secret in staff.totp_pending at each visit,
// now carry it sealed in their form and store nothing until a POST
// confirms it. The map stays, so that an exception, should one ever be
// needed, is named here with its reason.
var getChanges = map[string][]string{}

// getPaths are the paths the walk asks for a GET route: the path with
// real ids, and the queries with which its search and filter pages
// do their work.
func (f *walkFixture) getPaths(pattern, path string) []string {
	queries := map[string][]string{
		"GET /account":          {"done=pin"},
		"GET /account/login":    {"signed_out=1"},
		"GET /account/sessions": {"done=ended", "done=gone"},
		"GET /staff/login":      {"next=/staff/audit", "signed_out=1"},
		"GET /staff/patrons":    {"q=" + f.b.Barcode, "q=Chan", "q=", "q=Chan&offset=20"},
		"GET /staff/items":      {"q=" + f.aLoan.Item.Barcode, "q=Algorithms", "q="},
		"GET /staff/checkout":   {"patron=" + f.b.Barcode},
		"GET /staff/audit": {"patron=" + f.b.Barcode + "&action=loan.&from=2026-01-01&until=2026-12-31",
			"actor=ada", "from=not-a-date"},
		"GET /staff/two-factor": {"done=two_factor"},
	}[pattern]
	paths := []string{path}
	for _, q := range queries {
		paths = append(paths, path+"?"+url.PathEscape(q))
	}
	return paths
}

// TestNoGETChangesState walks every GET route the server registers, with
// real ids in its path and the queries its page takes, as an anonymous
// visitor, patron A, a desk account, an admin, a staff sign-in awaiting
// its code and one awaiting its two-factor set-up, and proves that no
// GET changes any table of the database (but for the sessions'
// last_seen_at, and the exception in getChanges). No answer is a server
// error.
func TestNoGETChangesState(t *testing.T) {
	f := newWalkFixture(t)
	gets := 0
	for _, pattern := range f.patterns {
		if method, _ := methodPath(pattern); method != http.MethodGet && method != "" {
			continue
		}
		gets++
		path, ok := f.path(pattern)
		if !ok {
			t.Errorf("route %s: the walk has no id for its wildcard; add one to walkFixture.path", pattern)
			continue
		}
		skip := slices.Concat(sessionBookkeeping, getChanges[pattern])
		f.tick()
		visitors := []struct {
			name string
			c    *client
		}{{"anonymous", f.anonymous}, {"patron", f.patronA}, {"desk", f.desk}, {"admin", f.admin}, {"pending", f.pending()}, {"enrolling", f.enrolling()}}
		for _, p := range f.getPaths(pattern, path) {
			for _, v := range visitors {
				before := f.snapshot(skip...)
				res := v.c.get(p)
				if res.status >= 500 {
					t.Errorf("GET %s as %s: %d", p, v.name, res.status)
				}
				if d := before.diff(f.snapshot(skip...)); d != "" {
					t.Errorf("GET %s as %s (%d) changed the database:%s", p, v.name, res.status, d)
				}
			}
		}
	}
	for pattern := range getChanges {
		if !slices.Contains(f.patterns, pattern) {
			t.Errorf("getChanges lists %s, which is not registered", pattern)
		}
	}
	if gets < 20 {
		t.Errorf("only %d GET routes walked", gets)
	}
}
