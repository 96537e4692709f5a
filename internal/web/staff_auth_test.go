package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/web"
)

// deskFixture is a library with an admin, a desk account, a patron with a
// loan and a hold, and an item on the shelf: something behind every {id}.
type deskFixture struct {
	l            *testLibrary
	admin, desk  library.Staff
	patron       library.Patron
	other        library.Patron
	shelf        library.Item
	lent         library.Loan
	hold         library.Hold
	payment      library.FineEntry // a payment of the patron's, whose receipt the desk prints
	patronClient *client           // signed in to My Account
}

func newDeskFixture(t *testing.T) *deskFixture {
	t.Helper()
	l := newLibrary(t, nil)
	f := &deskFixture{l: l, admin: l.staff("ada", library.RoleAdmin), desk: l.staff("dee", library.RoleDesk)}
	f.patron = l.patron("24031588", "Wong Ka Yan", nil)
	l.chosenPIN(f.patron, "reading-room-7")
	f.other = l.patron("24062953", "Chan Tai Man", nil)
	f.lent = l.loan(f.other, "30000009", "Structure and Interpretation of Computer Programs", today.AddDays(-3), today.AddDays(11), 0)
	f.shelf = l.item("30000001", "Introduction to Algorithms")
	var err error
	f.hold, err = l.svc.PlaceHold(l.ctx, library.CommandLine, f.patron.ID, f.lent.Item.Barcode)
	if err != nil {
		t.Fatal(err)
	}
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: f.patron.ID, Kind: library.FineCharge, Amount: 500, Note: "overdue", CreatedAt: l.now})
	})
	paid, err := l.svc.SettleFine(l.ctx, f.desk.Actor("127.0.0.1"), library.FineRequest{PatronID: f.patron.ID, Kind: library.FinePayment,
		Amount: 200, Method: library.PayCash})
	if err != nil {
		t.Fatal(err)
	}
	f.payment = paid.Entry
	f.patronClient = l.client()
	f.patronClient.mustSignIn("24031588", "reading-room-7", "/account")
	return f
}

// path fills a route pattern's {id} with something that exists.
func (f *deskFixture) path(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	id := ""
	switch {
	case strings.HasPrefix(path, "/staff/patrons/"):
		id = strconv.FormatInt(f.patron.ID, 10)
	case strings.HasPrefix(path, "/staff/items/"):
		id = strconv.FormatInt(f.shelf.ID, 10)
	case strings.HasPrefix(path, "/staff/holds/"):
		id = strconv.FormatInt(f.hold.ID, 10)
	case strings.HasPrefix(path, "/staff/receipts/"):
		id = strconv.FormatInt(f.payment.ID, 10)
	}
	return method, strings.Replace(path, "{id}", id, 1)
}

// send makes the request a route takes, with form as its body for a POST.
func (c *client) send(method, path string, form url.Values) response {
	c.t.Helper()
	if method == http.MethodPost {
		return c.post(path, form)
	}
	return c.get(path)
}

// toLogin reports whether a response sends the browser to the staff sign-in.
func toLogin(res response) bool {
	return res.status == http.StatusSeeOther && strings.HasPrefix(res.location(), "/staff/login")
}

// TestStaffRoutesAuthorization walks every registered staff route as an
// anonymous visitor, as a signed-in patron (with the patron cookie, and
// with the patron's token put in the staff cookie), as a desk account and
// as an admin. Only staff reach staff pages; admin-only actions refuse a
// desk account with 403 and change nothing.
func TestStaffRoutesAuthorization(t *testing.T) {
	f := newDeskFixture(t)
	l := f.l
	routes := web.StaffRoutes()
	if len(routes) < 40 {
		t.Fatalf("only %d staff routes listed", len(routes))
	}
	anon := l.client()
	forged := l.client()
	forged.c.Jar.SetCookies(mustURL(l.url), []*http.Cookie{{Name: "carrel_staff", Value: f.patronClient.sessionCookie()}})
	desk := l.staffClient(f.desk)
	admin := l.staffClient(f.admin)
	deskToken := csrf(t, desk.get("/staff").body)
	adminToken := csrf(t, admin.get("/staff").body)
	auditBefore := len(l.audit(library.AuditFilter{Action: "loan."})) + len(l.audit(library.AuditFilter{Action: "fine."}))

	seen := map[string]bool{}
	for _, rt := range routes {
		if seen[rt.Pattern] {
			t.Errorf("route %s listed twice", rt.Pattern)
		}
		seen[rt.Pattern] = true
		method, path := f.path(rt.Pattern)
		if !strings.HasPrefix(path, "/staff") || (method != http.MethodGet && method != http.MethodPost) {
			t.Errorf("route %s is not a staff GET or POST", rt.Pattern)
			continue
		}
		if rt.Access == "open" {
			continue // signing in and out: tested on their own
		}
		// No staff session: anonymous, a patron, a patron's token as a staff cookie.
		for name, c := range map[string]*client{"anonymous": anon, "patron": f.patronClient, "patron token as staff cookie": forged} {
			if res := c.send(method, path, url.Values{"csrf": {"x"}}); !toLogin(res) {
				t.Errorf("%s %s as %s: %d to %q, want the staff sign-in", method, path, name, res.status, res.location())
			}
		}
		switch rt.Access {
		case "pending":
			// A signed-in account has no sign-in to finish.
			if res := desk.send(method, path, url.Values{"csrf": {deskToken}}); res.status != http.StatusSeeOther || res.location() != "/staff" {
				t.Errorf("%s %s signed in: %d to %q, want the desk", method, path, res.status, res.location())
			}
		case "admin":
			// Refused before the form is read: even an empty one gets 403.
			res := desk.send(method, path, url.Values{"csrf": {deskToken}})
			if res.status != http.StatusForbidden {
				t.Errorf("%s %s as desk: %d, want 403", method, path, res.status)
			}
			mustContain(t, text(res.body), "Page not found")
			// And a complete one too.
			res = desk.send(method, path, url.Values{"csrf": {deskToken}, "item": {f.shelf.Barcode}, "patron": {f.patron.Barcode},
				"override": {"a reason"}, "waive_amount": {"1"}, "waive_note": {"why"}, "request": {library.NewRequestToken()}})
			if res.status != http.StatusForbidden {
				t.Errorf("%s %s as desk, form complete: %d, want 403", method, path, res.status)
			}
			if res := admin.send(method, path, url.Values{"csrf": {adminToken}}); res.status == http.StatusForbidden || toLogin(res) {
				t.Errorf("%s %s as admin: %d to %q", method, path, res.status, res.location())
			}
		case "desk":
			form := url.Values{"csrf": {deskToken}}
			if method == http.MethodPost {
				// Without its token the request reaches the CSRF check,
				// which only a signed-in staff member gets to.
				form = url.Values{}
			}
			res := desk.send(method, path, form)
			switch {
			case toLogin(res):
				t.Errorf("%s %s as desk: sent to sign in", method, path)
			case method == http.MethodGet && (res.status == http.StatusForbidden || res.status >= 500):
				t.Errorf("%s %s as desk: %d", method, path, res.status)
			case method == http.MethodPost && (res.status != http.StatusForbidden || !strings.Contains(text(res.body), "Nothing was changed")):
				t.Errorf("%s %s as desk without a token: %d, want the CSRF refusal", method, path, res.status)
			}
		default:
			t.Errorf("route %s: unknown access %q", rt.Pattern, rt.Access)
		}
	}
	// The desk account's refused override and waiver changed nothing.
	if n := len(l.audit(library.AuditFilter{Action: "loan."})) + len(l.audit(library.AuditFilter{Action: "fine."})); n != auditBefore {
		t.Errorf("refused requests wrote %d audit entries", n-auditBefore)
	}
	if len(l.openLoans(f.patron)) != 0 {
		t.Error("a refused override lent an item")
	}
	// Every staff page a browser can ask for is in the list: an unknown
	// one is a missing page, whoever asks.
	if res := admin.get("/staff/nowhere"); res.status != http.StatusNotFound {
		t.Errorf("unknown staff page: %d", res.status)
	}
}

// TestStaffCSRF proves every state-changing staff form needs the staff
// session's token and a same-origin browser, and that a refused request
// changes nothing.
func TestStaffCSRF(t *testing.T) {
	f := newDeskFixture(t)
	l := f.l
	admin := l.staffClient(f.admin)
	token := csrf(t, admin.get("/staff").body)
	// The patron's token is no staff token.
	patronToken := csrf(t, f.patronClient.get("/account").body)
	before := len(l.audit(library.AuditFilter{}))
	fields := url.Values{"item": {f.shelf.Barcode}, "patron": {f.patron.Barcode}, "block_reason": {"test"}, "expires_on": {"2030-01-01"},
		"new_barcode": {"24099999"}, "old_barcode": {f.patron.Barcode}, "name": {"X"}, "category": {"student"}, "all": {"1"},
		"pay_amount": {"1"}, "waive_amount": {"1"}, "waive_note": {"x"}, "item_barcode": {f.lent.Item.Barcode},
		"barcode": {"39999999"}, "title": {"T"}, "patron_barcode": {f.other.Barcode}, "override": {"x"}, "code": {"123456"}}
	attacks := []struct {
		name   string
		token  string
		header http.Header
	}{
		{"missing token", "", nil},
		{"wrong token", wrongToken(token), nil},
		{"the patron's token", patronToken, nil},
		{"other origin", token, http.Header{"Origin": {"https://evil.example"}}},
		{"cross-site fetch", token, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
	}
	posts := 0
	for _, rt := range web.StaffRoutes() {
		method, path := f.path(rt.Pattern)
		if method != http.MethodPost || rt.Access == "pending" || path == "/staff/login" {
			continue
		}
		posts++
		for _, a := range attacks {
			form := with(fields)
			if a.token != "" {
				form.Set("csrf", a.token)
			}
			admin.header = a.header
			res := admin.post(path, form)
			admin.header = http.Header{}
			if res.status != http.StatusForbidden {
				t.Errorf("%s with %s: %d, want 403", path, a.name, res.status)
			}
			mustContain(t, text(res.body), "Nothing was changed")
		}
	}
	if posts < 20 {
		t.Errorf("only %d staff POST routes checked", posts)
	}
	// Nothing happened: no audit entry (every change writes one), the
	// admin is still signed in, the patron unchanged.
	if after := len(l.audit(library.AuditFilter{})); after != before {
		for _, e := range l.audit(library.AuditFilter{})[:after-before] {
			t.Errorf("a refused request did %s: %s", e.Action, e.Detail)
		}
	}
	if res := admin.get("/staff"); res.status != http.StatusOK {
		t.Errorf("a refused logout ended the session: %d", res.status)
	}
	// Signing in from another site is refused too.
	c := l.client()
	c.header = http.Header{"Origin": {"https://evil.example"}}
	if res := c.staffSignIn("ada", adminPassword); res.status != http.StatusForbidden {
		t.Errorf("cross-origin staff sign-in: %d", res.status)
	}
}

// TestStaffSession proves the staff session's cookie is the staff's own,
// its idle and absolute timeouts, rotation at sign-in, the way back to the
// page asked for, and logging out.
func TestStaffSession(t *testing.T) {
	l := newLibrary(t, nil)
	st := l.staff("dee", library.RoleDesk)
	c := l.client()

	// An anonymous visit to a page is sent to sign in, then returned there.
	res := c.get("/staff/items?q=algorithms")
	if res.status != http.StatusSeeOther || res.location() != "/staff/login?next=%2Fstaff%2Fitems%3Fq%3Dalgorithms" {
		t.Fatalf("anonymous page: %d to %q", res.status, res.location())
	}
	login := c.get(res.location())
	res = c.post("/staff/login", with(form(t, login.body, "/staff/login"), "username", "dee", "password", deskPassword))
	if res.status != http.StatusSeeOther || res.location() != "/staff/items?q=algorithms" {
		t.Fatalf("sign-in with next: %d to %q", res.status, res.location())
	}
	for next, want := range map[string]string{"//evil.example/staff": "/staff", "https://evil.example/": "/staff", "/account": "/staff", "/staff/login": "/staff"} {
		res := l.client().post("/staff/login", url.Values{"username": {"dee"}, "password": {deskPassword}, "next": {next}})
		if res.location() != want {
			t.Errorf("next %q: to %q, want %q", next, res.location(), want)
		}
	}

	// The cookie: the staff's own name, HttpOnly, SameSite=Strict; no patron session.
	sc := res.header.Get("Set-Cookie")
	for _, attr := range []string{"carrel_staff=", "Path=/", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("staff cookie %q lacks %s", sc, attr)
		}
	}
	if c.sessionCookie() != "" {
		t.Error("a staff sign-in set a patron session")
	}
	first := c.cookie("carrel_staff")
	// Signed in again: a new session id, and the old one is dead.
	c.mustStaffSignIn("dee", deskPassword)
	if c.cookie("carrel_staff") == first {
		t.Error("staff sign-in reused the session id")
	}
	old := l.client()
	old.c.Jar.SetCookies(mustURL(l.url), []*http.Cookie{{Name: "carrel_staff", Value: first}})
	if res := old.get("/staff"); !toLogin(res) {
		t.Errorf("session from before sign-in: %d", res.status)
	}
	// A staff session is no patron session.
	patronSide := l.client()
	patronSide.c.Jar.SetCookies(mustURL(l.url), []*http.Cookie{{Name: "carrel_session", Value: c.cookie("carrel_staff")}})
	if res := patronSide.get("/account"); res.status != http.StatusSeeOther || res.location() != "/account/login" {
		t.Errorf("staff token as a patron session: %d to %q", res.status, res.location())
	}

	// Idle: 59 minutes apart is fine, 60 minutes is not.
	start := l.now
	l.now = l.now.Add(59 * time.Minute)
	if res := c.get("/staff"); res.status != http.StatusOK {
		t.Fatalf("after 59 idle minutes: %d", res.status)
	}
	l.now = l.now.Add(60 * time.Minute)
	if res := c.get("/staff/patrons?q=x"); !toLogin(res) {
		t.Errorf("after 60 idle minutes: %d to %q", res.status, res.location())
	}
	if c.cookie("carrel_staff") != "" {
		t.Error("the cookie of an ended session was kept")
	}
	// Absolute: busy all day, the session still ends after 12 hours.
	c.mustStaffSignIn("dee", deskPassword)
	start = l.now
	for l.now.Add(50*time.Minute).Sub(start) < 12*time.Hour {
		l.now = l.now.Add(50 * time.Minute)
		if res := c.get("/staff"); res.status != http.StatusOK {
			t.Fatalf("busy session after %s: %d", l.now.Sub(start), res.status)
		}
	}
	l.now = start.Add(12 * time.Hour)
	if res := c.get("/staff"); !toLogin(res) {
		t.Errorf("after 12 hours: %d", res.status)
	}

	// Log out: the cookie goes and the session is dead on the server.
	c.mustStaffSignIn("dee", deskPassword)
	session := c.cookie("carrel_staff")
	page := c.get("/staff")
	res = c.submit(page.body, "/staff/logout")
	if res.status != http.StatusSeeOther || res.location() != "/staff/login?signed_out=1" {
		t.Fatalf("logout: %d to %q", res.status, res.location())
	}
	mustContain(t, text(c.get(res.location()).body), "You have signed out of the staff desk.")
	replay := l.client()
	replay.c.Jar.SetCookies(mustURL(l.url), []*http.Cookie{{Name: "carrel_staff", Value: session}})
	if res := replay.get("/staff"); !toLogin(res) {
		t.Errorf("session after logout: %d", res.status)
	}
	if e := l.audit(library.AuditFilter{Action: "staff.signout"}); len(e) == 0 || e[0].Actor != st.AuditName() || !e[0].At.Equal(l.now) {
		t.Errorf("sign-out audit: %+v", e)
	}
}

// TestStaffSignInRefused proves an unknown username and a wrong password
// get the same answer, and that failures pause sign-in.
func TestStaffSignInRefused(t *testing.T) {
	l := newLibrary(t, func(c *library.Config) { c.Throttle.MaxFailures = 3 })
	l.staff("dee", library.RoleDesk)
	unknown := l.client().staffSignIn("nobody", deskPassword)
	wrong := l.client().staffSignIn("dee", "not-the-password-1")
	if unknown.status != http.StatusUnauthorized || wrong.status != http.StatusUnauthorized || unknown.body != wrong.body {
		t.Errorf("unknown user %d, wrong password %d; same page: %v", unknown.status, wrong.status, unknown.body == wrong.body)
	}
	mustContain(t, text(wrong.body), "The username or password is not right")
	mustNotContain(t, wrong.body, "not-the-password-1")
	empty := l.client().staffSignIn("", "")
	if empty.status != http.StatusUnprocessableEntity {
		t.Errorf("empty form: %d", empty.status)
	}
	mustContain(t, text(empty.body), "Enter your username", "Enter your password")
	for range 2 {
		l.client().staffSignIn("dee", "not-the-password-1")
	}
	res := l.client().staffSignIn("dee", deskPassword)
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
		t.Errorf("after 3 failures: %d, Retry-After %q", res.status, res.header.Get("Retry-After"))
	}
	mustContain(t, text(res.body), "Sign-in is paused", "until 10:15")
}

// TestStaffTwoFactor proves an account with codes needs one after its
// password, that a code works once, and that an admin the library
// requires to use codes sets them up before reaching the desk.
func TestStaffTwoFactor(t *testing.T) {
	l := newLibrary(t, func(c *library.Config) { c.Staff.RequireTOTPForAdmins = true })
	desk := l.staff("dee", library.RoleDesk)
	l.staff("ada", library.RoleAdmin)
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	l.setTOTP(desk.ID, secret)
	code := func(secret string) string {
		t.Helper()
		c, err := totp.GenerateCode(secret, l.now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	c := l.client()
	res := c.staffSignIn("dee", deskPassword)
	if res.status != http.StatusSeeOther || res.location() != "/staff/login/code" {
		t.Fatalf("password of an account with codes: %d to %q", res.status, res.location())
	}
	// The password alone opens no desk page.
	if res := c.get("/staff"); res.status != http.StatusSeeOther || res.location() != "/staff/login/code" {
		t.Errorf("desk before the code: %d to %q", res.status, res.location())
	}
	c.mustStaffSignInCode(t, "dee", deskPassword)
	page := c.get("/staff/login/code")
	res = c.submit(page.body, "/staff/login/code", "code", "000000")
	if res.status != http.StatusUnauthorized {
		t.Errorf("wrong code: %d", res.status)
	}
	mustContain(t, text(res.body), "The code is not right")
	good := code(secret)
	res = c.submit(page.body, "/staff/login/code", "code", good[:3]+" "+good[3:])
	if res.status != http.StatusSeeOther || res.location() != "/staff" {
		t.Fatalf("right code: %d to %q\n%s", res.status, res.location(), text(res.body))
	}
	if res := c.get("/staff"); res.status != http.StatusOK {
		t.Errorf("desk after the code: %d", res.status)
	}
	// The same code does not work twice.
	again := l.client()
	again.mustStaffSignInCode(t, "dee", deskPassword)
	page = again.get("/staff/login/code")
	if res := again.submit(page.body, "/staff/login/code", "code", good); res.status != http.StatusUnauthorized {
		t.Errorf("a code used twice: %d", res.status)
	}

	// The admin must set up codes first.
	a := l.client()
	res = a.staffSignIn("ada", adminPassword)
	if res.status != http.StatusSeeOther || res.location() != "/staff/login/enrol" {
		t.Fatalf("admin without codes: %d to %q", res.status, res.location())
	}
	if res := a.get("/staff/audit"); res.status != http.StatusSeeOther || res.location() != "/staff/login/enrol" {
		t.Errorf("desk before setting up codes: %d to %q", res.status, res.location())
	}
	enrol := a.get("/staff/login/enrol")
	mustContain(t, text(enrol.body), "Set up two-factor codes to continue", "Secret key:")
	mustContain(t, enrol.body, `src="data:image/png;base64,`)
	setup := form(t, enrol.body, "/staff/login/enrol")
	key := strings.ReplaceAll(regexpFind(t, enrol.body, `id="secret">([^<]+)<`), " ", "")
	res = a.post("/staff/login/enrol", with(setup, "code", "123456"))
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("wrong enrolment code: %d", res.status)
	}
	res = a.post("/staff/login/enrol", with(setup, "code", code(key)))
	if res.status != http.StatusSeeOther || res.location() != "/staff" {
		t.Fatalf("enrolment: %d to %q\n%s", res.status, res.location(), text(res.body))
	}
	if res := a.get("/staff/audit"); res.status != http.StatusOK {
		t.Errorf("desk after setting up codes: %d", res.status)
	}
	if e := l.audit(library.AuditFilter{Action: "staff.totp.enrol"}); len(e) != 1 {
		t.Errorf("enrolment audit: %d entries", len(e))
	}
}

// mustStaffSignInCode signs in with a password and expects the code page.
func (c *client) mustStaffSignInCode(t *testing.T, username, password string) {
	t.Helper()
	if res := c.staffSignIn(username, password); res.status != http.StatusSeeOther || res.location() != "/staff/login/code" {
		t.Fatalf("sign in as %s: %d to %q", username, res.status, res.location())
	}
}
