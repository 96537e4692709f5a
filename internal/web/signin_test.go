package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// cookieNames lists the names of the cookies a response sets.
func cookieNames(h http.Header) []string {
	var names []string
	for _, c := range (&http.Response{Header: h}).Cookies() {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	return names
}

// TestSignInFailuresIdentical proves an unknown barcode, a card holder and
// a wrong PIN for every kind of account get the same status, the same
// bytes but for the barcode typed (echoMasked) and the same cookies.
func TestSignInFailuresIdentical(t *testing.T) {
	l := newLibrary(t, nil)
	l.patron("25017342", "Lam Chi Ho", func(p *library.Patron) { p.RegisteredOn = library.Date{} }) // card holder
	l.patron("24031588", "Wong Ka Yan", nil)                                                        // barcode preset
	active := l.patron("24062953", "Chan Tai Man", nil)
	blocked := l.patron("23045126", "Ho Ka Lok", func(p *library.Patron) { p.BlockedReason = "lost book" })
	expired := l.patron("21018834", "Tsang Hoi Yee", func(p *library.Patron) { p.ExpiresOn = library.NewDate(2026, 8, 31) })
	for _, p := range []library.Patron{active, blocked, expired} {
		l.chosenPIN(p, "right-pin-"+p.Barcode)
	}

	attempts := []struct{ name, barcode, pin string }{
		{"unknown barcode", "99999999", "whatever-1"},
		{"card holder with its barcode", "25017342", "25017342"},
		{"preset patron, wrong PIN", "24031588", "24031589"},
		{"active patron, wrong PIN", "24062953", "wrong-pin-1"},
		{"blocked patron, wrong PIN", "23045126", "wrong-pin-1"},
		{"expired patron, wrong PIN", "21018834", "wrong-pin-1"},
	}
	var first response
	var firstMasked answer
	for i, a := range attempts {
		c := l.client()
		res := c.signIn(a.barcode, a.pin)
		masked := echoMasked(t, res, a.barcode)
		if i == 0 {
			first, firstMasked = res, masked
			if res.status != http.StatusUnauthorized {
				t.Fatalf("%s: status %d, want 401", a.name, res.status)
			}
			mustContain(t, text(res.body), "The patron barcode or PIN is not right",
				"If you have not completed registration, or you forgot your PIN, contact library staff on 2265-6918 or at lib@hkct.edu.hk")
			mustNotContain(t, res.body, a.pin)
			continue
		}
		if res.status != first.status {
			t.Errorf("%s: status %d, want %d", a.name, res.status, first.status)
		}
		if masked.body != firstMasked.body {
			t.Errorf("%s: the page differs from an unknown barcode's", a.name)
		}
		if got, want := cookieNames(res.header), cookieNames(first.header); !slices.Equal(got, want) {
			t.Errorf("%s: cookies %v, want %v", a.name, got, want)
		}
		if c.sessionCookie() != "" {
			t.Errorf("%s: got a session", a.name)
		}
	}
}

// TestSignInThrottled proves ten failures pause sign-in for a barcode,
// whether or not it exists, with a message that says until when and who
// can help, and that even the right PIN then waits.
func TestSignInThrottled(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")
	var paused []answer
	for _, barcode := range []string{"24062953", "88888888"} {
		c := l.client()
		for i := range 10 {
			if res := c.signIn(barcode, "wrong-pin-1"); res.status != http.StatusUnauthorized {
				t.Fatalf("%s failure %d: status %d", barcode, i+1, res.status)
			}
		}
		res := c.signIn(barcode, "reading-room-7")
		if res.status != http.StatusTooManyRequests {
			t.Fatalf("%s 11th attempt: status %d, want 429", barcode, res.status)
		}
		if res.header.Get("Retry-After") != "900" {
			t.Errorf("Retry-After %q, want 900", res.header.Get("Retry-After"))
		}
		mustContain(t, text(res.body), "Sign-in is paused",
			"sign-in is paused until 10:15", "contact library staff on 2265-6918 or at lib@hkct.edu.hk")
		if c.sessionCookie() != "" {
			t.Errorf("%s: signed in while paused", barcode)
		}
		paused = append(paused, echoMasked(t, res, barcode))
	}
	if paused[0].body != paused[1].body {
		t.Error("the paused page tells an existing barcode from an unknown one")
	}
}

// TestSignInFormErrors proves empty fields get an error summary linked to
// them without a sign-in attempt being counted.
func TestSignInFormErrors(t *testing.T) {
	l := newLibrary(t, func(c *library.Config) { c.Throttle.MaxFailures = 1 })
	c := l.client()
	for range 3 {
		res := c.signIn("  ", "")
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty form: status %d, want 422", res.status)
		}
		mustContain(t, res.body, `class="error-summary"`, `href="#barcode"`, `href="#pin"`,
			`aria-describedby="barcode-hint barcode-error"`, `aria-invalid="true"`, "Enter your patron barcode", "Enter your PIN")
	}
	res := c.signIn("2403-1588", "")
	mustContain(t, res.body, `value="24031588"`)
	mustNotContain(t, res.body, `href="#barcode"`)
	// With a limit of one failure, a counted attempt would have paused this barcode.
	if res := c.signIn("24031588", "wrong-pin-1"); res.status != http.StatusUnauthorized {
		t.Errorf("first real attempt: status %d, want 401", res.status)
	}
}

// TestSignInNotices proves a blocked, an expired and a fined patron with
// the right PIN do sign in and see what is wrong and the way out, never
// the staff's reason for a block.
func TestSignInNotices(t *testing.T) {
	l := newLibrary(t, nil)
	blocked := l.patron("23045126", "Ho Ka Lok", func(p *library.Patron) { p.BlockedReason = "damaged atlas not paid for" })
	expired := l.patron("21018834", "Tsang Hoi Yee", func(p *library.Patron) { p.ExpiresOn = library.NewDate(2026, 8, 31) })
	fined := l.patron("22056710", "Leung Chun Kit", nil)
	soon := l.patron("24062953", "Chan Tai Man", func(p *library.Patron) { p.ExpiresOn = today.AddDays(10) })
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: fined.ID, Kind: library.FineCharge, Amount: 6200, Note: "overdue", CreatedAt: l.now})
	})
	cases := []struct {
		p    library.Patron
		want []string
	}{
		{blocked, []string{"Your account has a block, so you cannot borrow or renew. Please contact library staff on 2265-6918 or at lib@hkct.edu.hk."}},
		{expired, []string{"Your account expired on 31 Aug 2026, so you cannot borrow or renew: renew your card at the library."}},
		{fined, []string{"You cannot borrow or renew because HKD 62.00 in fines is over the HKD 50.00 limit: pay at the library counter."}},
		{soon, []string{"Your account expires on 8 Dec 2026. Renew your card at the library before then to keep borrowing."}},
	}
	for _, tc := range cases {
		l.chosenPIN(tc.p, "right-pin-"+tc.p.Barcode)
		l.loan(tc.p, "4"+tc.p.Barcode, "Book of "+tc.p.Name, today.AddDays(-5), today.AddDays(9), 0)
		c := l.client()
		c.mustSignIn(tc.p.Barcode, "right-pin-"+tc.p.Barcode, "/account")
		page := c.get("/account")
		mustContain(t, text(page.body), tc.want...)
		mustNotContain(t, page.body, "damaged atlas")
		if tc.p.ID != soon.ID {
			mustNotContain(t, page.body, "Renew all", `name="loan"`)
			// Renewing anyway is refused with the reason, and changes nothing.
			res := c.post("/account/renew", url.Values{"csrf": {csrf(t, page.body)}, "all": {"1"}})
			mustContain(t, text(res.body), "Renewed 0 of 1")
			if n := l.openLoans(tc.p)[0].Renewals; n != 0 {
				t.Errorf("%s: a loan was renewed", tc.p.Name)
			}
		}
	}
}

// TestSignInRotatesSession proves a session cookie held before sign-in is
// neither kept nor left alive.
func TestSignInRotatesSession(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")
	c := l.client()
	c.mustSignIn("24062953", "reading-room-7", "/account")
	before := c.sessionCookie()
	c.mustSignIn("24062953", "reading-room-7", "/account")
	after := c.sessionCookie()
	if after == "" || after == before {
		t.Fatalf("session id not rotated: %q then %q", before, after)
	}
	old := l.client()
	old.c.Jar.SetCookies(mustURL(l.url), []*http.Cookie{{Name: "carrel_session", Value: before}})
	if res := old.get("/account"); res.status != http.StatusSeeOther {
		t.Errorf("session from before sign-in still works: %d", res.status)
	}
	// A planted cookie that was never a session is simply replaced.
	planted := l.client()
	planted.c.Jar.SetCookies(mustURL(l.url), []*http.Cookie{{Name: "carrel_session", Value: "attacker-chosen"}})
	planted.mustSignIn("24062953", "reading-room-7", "/account")
	if planted.sessionCookie() == "attacker-chosen" {
		t.Error("sign-in kept a planted session id")
	}
	// A session id in the URL is ignored.
	bare := l.client()
	if res := bare.get("/account?carrel_session=" + url.QueryEscape(after)); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/account/login") {
		t.Errorf("session id in the URL: got %d to %q", res.status, res.location())
	}
}
