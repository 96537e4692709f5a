package web_test

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// answer is everything a sign-in attempt gets back that a visitor could
// compare: the status, the page, every header but Date, and the cookies
// set with their attributes.
type answer struct {
	status  int
	body    string
	headers map[string][]string
	cookies []string
}

// cookieValue matches the value of a Set-Cookie line.
var cookieValue = regexp.MustCompile(`^([^=]*)=[^;]*`)

// answerOf reads a response as an answer. Each Set-Cookie line is kept
// whole, name and attributes (Path, Max-Age, HttpOnly, Secure, SameSite),
// with its value replaced by "<value>": a random token differs every
// time by design, and its presence, name and attributes are what a
// visitor could tell apart.
func answerOf(res response) answer {
	h := maps.Clone(res.header)
	delete(h, "Date")
	var cookies []string
	for _, line := range h["Set-Cookie"] {
		cookies = append(cookies, cookieValue.ReplaceAllString(line, "$1=<value>"))
	}
	delete(h, "Set-Cookie")
	slices.Sort(cookies)
	return answer{status: res.status, body: res.body, headers: h, cookies: cookies}
}

// sameAnswer fails the test unless two answers are identical, saying how they differ.
func sameAnswer(t *testing.T, what string, got, want answer) {
	t.Helper()
	if got.status != want.status {
		t.Errorf("%s: status %d, want %d", what, got.status, want.status)
	}
	if got.body != want.body {
		t.Errorf("%s: the page differs", what)
	}
	if !maps.EqualFunc(got.headers, want.headers, slices.Equal) {
		t.Errorf("%s: headers %v, want %v", what, got.headers, want.headers)
	}
	if !slices.Equal(got.cookies, want.cookies) {
		t.Errorf("%s: cookies %q, want %q", what, got.cookies, want.cookies)
	}
}

// enumerationPatrons stores a card holder, a patron on the barcode preset,
// and an active, a blocked and an expired patron with PINs of their own.
func enumerationPatrons(l *testLibrary) {
	l.t.Helper()
	l.patron("25017342", "Lam Chi Ho", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
	l.patron("24031588", "Wong Ka Yan", nil)
	active := l.patron("24062953", "Chan Tai Man", nil)
	blocked := l.patron("23045126", "Ho Ka Lok", func(p *library.Patron) { p.BlockedReason = "lost book" })
	expired := l.patron("21018834", "Tsang Hoi Yee", func(p *library.Patron) { p.ExpiresOn = library.NewDate(2026, 8, 31) })
	for _, p := range []library.Patron{active, blocked, expired} {
		l.chosenPIN(p, "right-pin-"+p.Barcode)
	}
}

// TestEnumerationAnswersIdentical proves that an unknown barcode, a card
// holder with the right preset, and a wrong PIN for a preset, an active, a
// blocked and an expired account get identical answers from the running
// server: status, page, every header but Date, and cookies (none is set).
// Then, paused after ten failures each, an active, a blocked and an
// unknown barcode get identical answers too, even with the right PIN. The
// page keeps the barcode typed, which differs by attempt: it is masked
// once it is shown to be the typed one (echoMasked).
func TestEnumerationAnswersIdentical(t *testing.T) {
	l := newLibrary(t, nil)
	enumerationPatrons(l)

	attempts := []struct{ name, barcode, pin string }{
		{"unknown barcode", "99999999", "whatever-1"},
		{"card holder with its barcode", "25017342", "25017342"},
		{"preset patron, wrong PIN", "24031588", "24031589"},
		{"active patron, wrong PIN", "24062953", "wrong-pin-1"},
		{"blocked patron, wrong PIN", "23045126", "wrong-pin-1"},
		{"expired patron, wrong PIN", "21018834", "wrong-pin-1"},
	}
	var first answer
	for i, a := range attempts {
		c := l.client()
		got := echoMasked(t, c.signIn(a.barcode, a.pin), a.barcode)
		if c.sessionCookie() != "" {
			t.Errorf("%s: got a session", a.name)
		}
		if i == 0 {
			first = got
			if got.status != http.StatusUnauthorized || len(got.cookies) != 0 {
				t.Fatalf("%s: status %d, cookies %q; want 401 and none", a.name, got.status, got.cookies)
			}
			continue
		}
		sameAnswer(t, a.name, got, first)
	}

	paused := []struct{ name, barcode, right string }{
		{"unknown barcode", "88888888", "whatever-1"},
		{"active patron", "24062953", "right-pin-24062953"},
		{"blocked patron", "23045126", "right-pin-23045126"},
	}
	for i, p := range paused {
		for range l.cfg.Throttle.MaxFailures {
			l.client().signIn(p.barcode, "wrong-pin-2")
		}
		got := echoMasked(t, l.client().signIn(p.barcode, p.right), p.barcode)
		if i == 0 {
			first = got
			if got.status != http.StatusTooManyRequests || got.headers["Retry-After"] == nil {
				t.Fatalf("paused %s: status %d, headers %v; want 429 with Retry-After", p.name, got.status, got.headers)
			}
			continue
		}
		sameAnswer(t, "paused "+p.name, got, first)
	}
}

// TestEnumerationTiming proves an unknown barcode and a wrong PIN for a
// patron take the same time to answer: over 200 tries of each through
// the running web server, alternating, the tries of each pair made one
// straight after the other differ by under 10 ms (the median of the 200
// differences: load from another job on the machine falls on both tries of
// a pair alike). The throttle's limits are raised for the run (100,000 per barcode
// and per address) so that neither is paused; both barcodes gather the
// same number of failures, so the throttle's own work is alike too.
func TestEnumerationTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("400 argon2id verifications: skipped in -short mode")
	}
	l := newLibrary(t, func(c *library.Config) {
		c.Throttle.MaxFailures = 100000
		c.Throttle.AddrMaxFailures = 100000
	})
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "right-pin-24062953")
	c := l.client() // one client: its connection is kept alive for both kinds
	try := func(barcode string) time.Duration {
		start := time.Now()
		res := c.signIn(barcode, "wrong-pin-1")
		d := time.Since(start)
		if res.status != http.StatusUnauthorized {
			t.Fatalf("%s: status %d, want 401", barcode, res.status)
		}
		return d
	}
	const n = 200
	unknown, wrong := alternate(n, func() time.Duration { return try("99999999") }, func() time.Duration { return try(p.Barcode) })
	mu, mw, d := middle(unknown), middle(wrong), pairedDifference(unknown, wrong)
	t.Logf("web sign-in, medians of %d tries: unknown barcode %v, wrong PIN %v; median difference of each pair %v", n, mu, mw, d)
	if d.Abs() >= 10*time.Millisecond {
		t.Errorf("an unknown barcode and a wrong PIN tried one after the other differ by %v (median of %d pairs; medians %v and %v); want under 10ms", d, n, mu, mw)
	}
}

// alternate runs a and b n times each, after a few untimed warm-up rounds,
// alternating which goes first so that a change of load on the machine
// falls on both alike, and returns their durations.
func alternate(n int, a, b func() time.Duration) (da, db []time.Duration) {
	for range 5 {
		a()
		b()
	}
	for i := range n {
		if i%2 == 0 {
			da = append(da, a())
			db = append(db, b())
		} else {
			db = append(db, b())
			da = append(da, a())
		}
	}
	return da, db
}

// pairedDifference returns the median of a[i] - b[i]: the difference of
// tries made one straight after the other. A burst of load from another
// job on the machine falls on both tries of a pair alike and cancels out,
// where it would shift one median against the other.
func pairedDifference(a, b []time.Duration) time.Duration {
	d := make([]time.Duration, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return middle(d)
}

// middle returns the median of the durations.
func middle(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// TestStaffEnumerationAnswersIdentical proves the desk's sign-in tells
// nothing about which usernames exist: an unknown username, and a wrong
// password for a desk, an admin and a disabled account, get identical
// answers (status, page, headers but Date, cookies: none is set); and a
// disabled account's right password gets that answer too.
func TestStaffEnumerationAnswersIdentical(t *testing.T) {
	l := newLibrary(t, nil)
	l.staff("dee", library.RoleDesk)
	l.staff("ada", library.RoleAdmin)
	l.staff("old", library.RoleDesk)
	if err := l.svc.DisableStaff(l.ctx, library.CommandLine, "old"); err != nil {
		t.Fatal(err)
	}
	attempts := []struct{ name, username, password string }{
		{"unknown username", "nobody", "wrong-password-1"},
		{"desk account, wrong password", "dee", "wrong-password-1"},
		{"admin account, wrong password", "ada", "wrong-password-1"},
		{"disabled account, wrong password", "old", "wrong-password-1"},
		{"disabled account, right password", "old", deskPassword},
	}
	var first answer
	for i, a := range attempts {
		c := l.client()
		got := answerOf(c.staffSignIn(a.username, a.password))
		if i == 0 {
			first = got
			if got.status != http.StatusUnauthorized || len(got.cookies) != 0 {
				t.Fatalf("%s: status %d, cookies %q; want 401 and none", a.name, got.status, got.cookies)
			}
			continue
		}
		sameAnswer(t, a.name, got, first)
	}
}

// TestStaffEnumerationTiming proves an unknown username and a wrong
// password for a desk account take the same time to answer: over 200
// tries of each through the running web server, alternating, the median
// difference of each pair is under 10 ms. The throttle's limits are raised for the
// run, as in TestEnumerationTiming.
func TestStaffEnumerationTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("400 argon2id verifications: skipped in -short mode")
	}
	l := newLibrary(t, func(c *library.Config) {
		c.Throttle.MaxFailures = 100000
		c.Throttle.AddrMaxFailures = 100000
	})
	l.staff("dee", library.RoleDesk)
	c := l.client()
	try := func(username string) time.Duration {
		start := time.Now()
		res := c.staffSignIn(username, "wrong-password-1")
		d := time.Since(start)
		if res.status != http.StatusUnauthorized {
			t.Fatalf("%s: status %d, want 401", username, res.status)
		}
		return d
	}
	const n = 200
	unknown, wrong := alternate(n, func() time.Duration { return try("nobody") }, func() time.Duration { return try("dee") })
	mu, mw, d := middle(unknown), middle(wrong), pairedDifference(unknown, wrong)
	t.Logf("desk sign-in, medians of %d tries: unknown username %v, wrong password %v; median difference of each pair %v", n, mu, mw, d)
	if d.Abs() >= 10*time.Millisecond {
		t.Errorf("an unknown username and a wrong password tried one after the other differ by %v (median of %d pairs; medians %v and %v); want under 10ms", d, n, mu, mw)
	}
}
