package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

// Item 4 of the security suite (sessions) and the session part of item 6
// (access control), black-box against a real server on a real database.

// User-Agents of real browsers, for the list of signed-in devices.
const (
	firefoxWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	chromeAndroid  = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.104 Mobile Safari/537.36"
	safariIPhone   = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	edgeWindows    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86"
	chromeMac      = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	firefoxLinux   = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	kioskAgent     = "Mozilla/5.0 (X11; Linux x86_64) LibrarySelfCheck/4.2 Kiosk"
)

// sessionPatrons is a library with two registered patrons on PINs of
// their own, Chan (the one under test) and Wong (someone else).
type sessionPatrons struct {
	*testLibrary
	chan_, wong library.Patron
}

const (
	chanPIN = "reading-room-7"
	wongPIN = "harbour-lights-3"
)

func newSessionPatrons(t *testing.T) *sessionPatrons {
	t.Helper()
	l := newLibrary(t, nil)
	s := &sessionPatrons{testLibrary: l}
	s.chan_ = l.patron("24062953", "Chan Tai Man", nil)
	s.wong = l.patron("24031588", "Wong Ka Yan", nil)
	l.chosenPIN(s.chan_, chanPIN)
	l.chosenPIN(s.wong, wongPIN)
	l.loan(s.chan_, "31234567001", "Introduction to Algorithms", today.AddDays(-3), today.AddDays(11), 0)
	l.loan(s.wong, "31234567002", "Structure and Interpretation", today.AddDays(-3), today.AddDays(11), 0)
	return s
}

// device returns a client whose browser sends the User-Agent ua.
func (l *testLibrary) device(ua string) *client {
	l.t.Helper()
	c := l.client()
	if ua != "" {
		c.header.Set("User-Agent", ua)
	}
	return c
}

// chanOn signs Chan in on a new client with the User-Agent ua.
func (s *sessionPatrons) chanOn(ua string) *client {
	s.t.Helper()
	c := s.device(ua)
	c.mustSignIn(s.chan_.Barcode, chanPIN, "/account")
	return c
}

// wongOn signs Wong in on a new client with the User-Agent ua.
func (s *sessionPatrons) wongOn(ua string) *client {
	s.t.Helper()
	c := s.device(ua)
	c.mustSignIn(s.wong.Barcode, wongPIN, "/account")
	return c
}

// holding returns a new client that holds token as its session cookie,
// as an attacker who copied the cookie would.
func (l *testLibrary) holding(token string) *client {
	l.t.Helper()
	c := l.client()
	c.c.Jar.SetCookies(mustURL(l.url), []*http.Cookie{{Name: "carrel_session", Value: token}})
	return c
}

// mustGetNothing proves that a client holding token gets the sign-in page
// and none of the patron's data, on every account page and form.
func mustGetNothing(t *testing.T, l *testLibrary, token string, p library.Patron) {
	t.Helper()
	if token == "" {
		t.Fatal("no token to replay")
	}
	for _, path := range []string{"/account", "/account/sessions", "/account/password"} {
		res := l.holding(token).get(path)
		if res.status != http.StatusSeeOther || res.location() != signInFor(path) {
			t.Errorf("GET %s with the old cookie: %d to %q, want 303 to the sign-in page", path, res.status, res.location())
		}
		mustNotContain(t, res.body, p.Name, p.Barcode)
	}
	// A form sent with the old cookie goes to sign-in too and changes nothing.
	before := len(l.openLoans(p))
	res := l.holding(token).post("/account/renew", url.Values{"all": {"1"}})
	if res.status != http.StatusSeeOther || res.location() != "/account/login" {
		t.Errorf("POST /account/renew with the old cookie: %d to %q", res.status, res.location())
	}
	if got := l.openLoans(p); len(got) != before || (len(got) > 0 && got[0].Renewals != 0) {
		t.Errorf("the old cookie renewed a loan")
	}
	page := l.holding(token).get("/account/login")
	if page.status != http.StatusOK || !strings.Contains(page.body, `action="/account/login"`) {
		t.Errorf("the sign-in page: %d", page.status)
	}
	mustNotContain(t, page.body, p.Name, p.Barcode)
}

// mustSeeRecord proves the client is signed in as p.
func mustSeeRecord(t *testing.T, c *client, p library.Patron) {
	t.Helper()
	res := c.get("/account")
	if res.status != http.StatusOK {
		t.Fatalf("%s's record: %d to %q", p.Name, res.status, res.location())
	}
	mustContain(t, res.body, p.Name, p.Barcode)
}

// TestSessionPlantedBeforeSignIn proves a session cookie planted in a
// browser before its patron signs in is worthless afterwards: whether it
// was made up or was a real session of the attacker's own, the browser
// gets a new one, and the planted one opens nobody's record.
func TestSessionPlantedBeforeSignIn(t *testing.T) {
	s := newSessionPatrons(t)
	attacker := s.wongOn(chromeMac)
	planted := attacker.sessionCookie()

	for name, value := range map[string]string{
		"the attacker's own session": planted,
		"a made-up value":            "planted-by-someone-else-0123456789abcdef",
	} {
		t.Run(name, func(t *testing.T) {
			victim := s.holding(value)
			victim.header.Set("User-Agent", firefoxWindows)
			victim.mustSignIn(s.chan_.Barcode, chanPIN, "/account")
			got := victim.sessionCookie()
			if got == "" || got == value {
				t.Fatalf("sign-in kept the planted cookie")
			}
			mustSeeRecord(t, victim, s.chan_)
			// The planted value opens nothing: not the victim's record,
			// and not even the session it was, which the sign-in ended.
			mustGetNothing(t, s.testLibrary, value, s.chan_)
			mustGetNothing(t, s.testLibrary, value, s.wong)
		})
	}
}

// TestSessionIDInURLIgnored proves a session id anywhere in the URL is
// never read: only the cookie counts, so a link cannot sign anyone in,
// and a signed-in patron given another's id in the URL stays themselves.
func TestSessionIDInURLIgnored(t *testing.T) {
	s := newSessionPatrons(t)
	chan_ := s.chanOn(firefoxWindows)
	token := chan_.sessionCookie()
	q := url.QueryEscape(token)
	paths := []string{
		"/account?session=" + q,
		"/account?carrel_session=" + q,
		"/account?sid=" + q + "&token=" + q,
		"/account?__Host-carrel_session=" + q,
		"/account;carrel_session=" + q,
		"/account;jsessionid=" + q,
		"/account/" + q,
		"/" + q + "/account",
		"/account/sessions?carrel_session=" + q,
	}
	bare := s.client()
	for _, path := range paths {
		res := bare.get(path)
		if res.status == http.StatusOK {
			t.Errorf("GET %s without a cookie: 200", path)
		}
		mustNotContain(t, res.body, s.chan_.Name, s.chan_.Barcode)
		if bare.sessionCookie() != "" {
			t.Errorf("GET %s set a session cookie", path)
		}
	}
	// Wong, signed in, with Chan's id in the URL, sees Wong's record only.
	wong := s.wongOn(chromeAndroid)
	for _, path := range paths[:4] {
		res := wong.get(path)
		if res.status != http.StatusOK {
			t.Errorf("GET %s as Wong: %d", path, res.status)
		}
		mustContain(t, res.body, s.wong.Name)
		mustNotContain(t, res.body, s.chan_.Name, s.chan_.Barcode)
	}
	// A session id in a form field is not read either.
	res := bare.post("/account/renew", url.Values{"carrel_session": {token}, "session": {token}, "all": {"1"}})
	if res.status != http.StatusSeeOther || res.location() != "/account/login" {
		t.Errorf("POST with the id in the form: %d to %q", res.status, res.location())
	}
	if l := s.openLoans(s.chan_); l[0].Renewals != 0 {
		t.Error("a session id in a form field renewed a loan")
	}
}

// TestSessionEndsOnLogout proves a cookie copied before Log out gets
// nothing afterwards.
func TestSessionEndsOnLogout(t *testing.T) {
	s := newSessionPatrons(t)
	c := s.chanOn(firefoxWindows)
	token := c.sessionCookie()
	page := c.get("/account")
	res := c.post("/account/logout", url.Values{"csrf": {csrf(t, page.body)}})
	if res.status != http.StatusSeeOther || res.location() != "/account/login?signed_out=1" {
		t.Fatalf("log out: %d to %q", res.status, res.location())
	}
	if c.sessionCookie() != "" {
		t.Error("the cookie was not deleted")
	}
	mustGetNothing(t, s.testLibrary, token, s.chan_)
}

// TestSessionEndsOnPINChange proves that changing the PIN in one session
// ends every other session of the patron, and keeps the one it was
// changed in: the patron who typed the old PIN there is the patron.
// Someone else's sessions are not touched.
func TestSessionEndsOnPINChange(t *testing.T) {
	s := newSessionPatrons(t)
	phone := s.chanOn(chromeAndroid)
	oldPhone := phone.sessionCookie()
	laptop := s.chanOn(firefoxWindows)
	wong := s.wongOn(safariIPhone)

	page := laptop.get("/account/password")
	res := laptop.post("/account/password", url.Values{"csrf": {csrf(t, page.body)},
		"old_pin": {chanPIN}, "new_pin": {"lantern-by-the-pier-9"}, "confirm_pin": {"lantern-by-the-pier-9"}})
	if res.status != http.StatusSeeOther || res.location() != "/account?done=pin" {
		t.Fatalf("change PIN: %d to %q\n%s", res.status, res.location(), text(res.body))
	}
	mustGetNothing(t, s.testLibrary, oldPhone, s.chan_)
	mustSeeRecord(t, laptop, s.chan_)
	mustSeeRecord(t, wong, s.wong)
	list := devicesListed(t, laptop.get("/account/sessions").body)
	if len(list) != 1 || !list[0].current || list[0].device != "Firefox on Windows" {
		t.Errorf("after the change: %+v, want this device only", list)
	}
}

// TestSessionEndsOnStaffPINReset proves a PIN reset at the staff desk ends
// every session of the patron.
func TestSessionEndsOnStaffPINReset(t *testing.T) {
	s := newSessionPatrons(t)
	c := s.chanOn(firefoxWindows)
	token := c.sessionCookie()
	wong := s.wongOn(safariIPhone)
	desk := s.staffClient(s.staff("dee", library.RoleDesk))
	patronURL := fmt.Sprintf("/staff/patrons/%d", s.chan_.ID)
	page := desk.get(patronURL)
	res := desk.post(patronURL+"/reset-pin", with(form(t, page.body, patronURL+"/reset-pin"), "confirm", "yes"))
	if res.status != http.StatusOK {
		t.Fatalf("reset PIN: %d\n%s", res.status, text(res.body))
	}
	mustGetNothing(t, s.testLibrary, token, s.chan_)
	mustSeeRecord(t, wong, s.wong)
}

// TestSessionIdleTimeout proves a session unused for the idle timeout
// (10 minutes by default) gets nothing, one used just before it lives on,
// and none outlives the absolute timeout (8 hours) however busy.
func TestSessionIdleTimeout(t *testing.T) {
	s := newSessionPatrons(t)
	idle := s.cfg.Session.IdleTimeout.D()
	c := s.chanOn(firefoxWindows)
	s.now = s.now.Add(idle - time.Second)
	mustSeeRecord(t, c, s.chan_)
	s.now = s.now.Add(idle - time.Second)
	mustSeeRecord(t, c, s.chan_)
	s.now = s.now.Add(idle)
	mustGetNothing(t, s.testLibrary, c.sessionCookie(), s.chan_)

	busy := s.chanOn(chromeAndroid)
	end := s.now.Add(s.cfg.Session.AbsoluteTimeout.D())
	for s.now.Add(idle / 2).Before(end) {
		s.now = s.now.Add(idle / 2)
		mustSeeRecord(t, busy, s.chan_)
	}
	s.now = end
	mustGetNothing(t, s.testLibrary, busy.sessionCookie(), s.chan_)
}

var (
	sessionRowRe = regexp.MustCompile(`(?s)<tr( class="current" aria-current="true")?>\s*<th scope="row">(.*?)</th>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>`)
	deviceField  = regexp.MustCompile(`name="device" value="([^"]+)"`)
)

// listedDevice is one row of the list of signed-in devices.
type listedDevice struct {
	device, started, lastUsed string
	current                   bool
}

// devicesListed reads the rows of the list of signed-in devices.
func devicesListed(t *testing.T, page string) []listedDevice {
	t.Helper()
	var out []listedDevice
	for _, m := range sessionRowRe.FindAllStringSubmatch(page, -1) {
		dev := strings.TrimSpace(text(m[2]))
		dev = strings.TrimSpace(strings.TrimSuffix(dev, "This device"))
		out = append(out, listedDevice{device: dev, started: text(m[3]), lastUsed: text(m[4]), current: m[1] != ""})
	}
	return out
}

// sessionIDs returns the public ids of the sign-out buttons on the list.
func sessionIDs(page string) []string {
	var ids []string
	for _, m := range deviceField.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// TestSessionsList proves the list of signed-in devices shows exactly the
// patron's live sessions, most recently used first, each with a coarse
// device description, when it began and when it was last used, and marks
// this device; that only the coarse label is stored, never the
// User-Agent; and that the page gives no token away.
func TestSessionsList(t *testing.T) {
	s := newSessionPatrons(t)
	laptop := s.chanOn(firefoxWindows)
	s.now = s.now.Add(time.Minute)
	phone := s.chanOn(chromeAndroid)
	s.now = s.now.Add(time.Minute)
	unknown := s.chanOn("")
	wong := s.wongOn(kioskAgent)
	s.now = s.now.Add(time.Minute)

	page := phone.get("/account/sessions")
	if page.status != http.StatusOK {
		t.Fatalf("list: %d to %q", page.status, page.location())
	}
	if cc := page.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	got := devicesListed(t, page.body)
	want := []listedDevice{
		{"Chrome on Android", "28 Nov 2026 10:01", "28 Nov 2026 10:03", true},
		{"An unknown device", "28 Nov 2026 10:02", "28 Nov 2026 10:02", false},
		{"Firefox on Windows", "28 Nov 2026 10:00", "28 Nov 2026 10:00", false},
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed devices:\n got  %+v\n want %+v", got, want)
	}
	mustContain(t, text(page.body), "Signed-in devices", "This device", "To sign out here, use Log out.",
		"A device that is not used for 10 minutes is signed out on its own.", "Sign out everywhere")
	// Two sign-out buttons, for the other two devices; no token of any
	// session and none of Wong's public ids on the page.
	ids := sessionIDs(page.body)
	if len(ids) != 2 {
		t.Errorf("%d sign-out buttons, want 2", len(ids))
	}
	wongIDs := sessionIDs(wong.get("/account/sessions").body)
	for _, c := range []*client{laptop, phone, unknown, wong} {
		mustNotContain(t, page.body, c.sessionCookie())
	}
	if len(wongIDs) != 0 {
		t.Errorf("Wong, signed in once, has %d sign-out buttons", len(wongIDs))
	}
	mustNotContain(t, page.body, "Wong", "self-check kiosk")
	mustContain(t, text(wong.get("/account/sessions").body), "A self-check kiosk This device")

	// Only the coarse label is stored; nothing of the User-Agent beyond it.
	stored, err := s.svc.PatronSessions(s.ctx, s.chan_.ID)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, st := range stored {
		labels = append(labels, st.Device)
		if strings.Contains(strings.ToLower(fmt.Sprintf("%+v", st)), "mozilla") {
			t.Errorf("a stored session holds the User-Agent: %+v", st)
		}
	}
	if want := []string{"chrome/android", "", "firefox/windows"}; !slices.Equal(labels, want) {
		t.Errorf("stored labels %q, want %q", labels, want)
	}

	// A session that has timed out is not listed, though not yet swept:
	// the laptop is used a minute after the phone was, and the list is
	// asked for when the phone has been idle for the whole timeout.
	s.now = s.now.Add(time.Minute)
	mustSeeRecord(t, laptop, s.chan_)
	s.now = s.now.Add(s.cfg.Session.IdleTimeout.D() - time.Minute)
	got = devicesListed(t, laptop.get("/account/sessions").body)
	if len(got) != 1 || !got[0].current || got[0].device != "Firefox on Windows" {
		t.Errorf("after the others timed out: %+v", got)
	}

	// In Chinese, every word is there.
	laptop.header.Set("Accept-Language", "zh-Hant-HK")
	zh := laptop.get("/account/sessions")
	mustContain(t, text(zh.body), "已登入的裝置", "Windows 上的 Firefox", "此裝置", "在所有裝置登出")
	mustNotContain(t, zh.body, i18n.MissingMarker)
}

// TestDeviceWords proves the coarse description the list gives each
// common browser.
func TestDeviceWords(t *testing.T) {
	s := newSessionPatrons(t)
	cases := []struct{ ua, words string }{
		{firefoxWindows, "Firefox on Windows"},
		{chromeAndroid, "Chrome on Android"},
		{safariIPhone, "Safari on iPhone"},
		{edgeWindows, "Edge on Windows"},
		{chromeMac, "Chrome on macOS"},
		{firefoxLinux, "Firefox on Linux"},
		{kioskAgent, "A self-check kiosk"},
		{"Mozilla/5.0 (Windows NT 10.0) SomeNewBrowser/1.0", "A browser on Windows"},
		{"curl/8.5.0", "An unknown device"},
		{"", "An unknown device"},
	}
	for _, tc := range cases {
		c := s.chanOn(tc.ua)
		got := devicesListed(t, c.get("/account/sessions").body)
		i := slices.IndexFunc(got, func(d listedDevice) bool { return d.current })
		if i < 0 || got[i].device != tc.words {
			t.Errorf("%q: listed as %+v, want %q", tc.ua, got, tc.words)
		}
		// Signing in again on the same browser ends the session before.
		c.mustSignIn(s.chan_.Barcode, chanPIN, "/account")
		if n := len(devicesListed(t, c.get("/account/sessions").body)); n != 1 {
			t.Fatalf("%d devices after signing in again, want 1", n)
		}
		c.post("/account/sessions/end-all", url.Values{"csrf": {csrf(t, c.get("/account").body)}})
	}
}

// TestSignOutOneDevice proves the patron can sign out one other device:
// its cookie then gets nothing, the rest stay signed in, and the audit log
// records it.
func TestSignOutOneDevice(t *testing.T) {
	s := newSessionPatrons(t)
	laptop := s.chanOn(firefoxWindows)
	phone := s.chanOn(chromeAndroid)
	tablet := s.chanOn(safariIPhone)
	wong := s.wongOn(chromeMac)

	page := laptop.get("/account/sessions")
	phoneID := idOfDevice(t, page.body, "Chrome on Android")
	res := laptop.post("/account/sessions/end", url.Values{"csrf": {csrf(t, page.body)}, "device": {phoneID}})
	if res.status != http.StatusSeeOther || res.location() != "/account/sessions?done=ended" {
		t.Fatalf("sign out the phone: %d to %q", res.status, res.location())
	}
	after := laptop.get(res.location())
	mustContain(t, text(after.body), "That device is signed out.")
	if got := devicesListed(t, after.body); len(got) != 2 || slices.ContainsFunc(got, func(d listedDevice) bool { return d.device == "Chrome on Android" }) {
		t.Errorf("listed after: %+v", got)
	}
	mustGetNothing(t, s.testLibrary, phone.sessionCookie(), s.chan_)
	mustSeeRecord(t, laptop, s.chan_)
	mustSeeRecord(t, tablet, s.chan_)
	mustSeeRecord(t, wong, s.wong)
	if got := s.audit(library.AuditFilter{Action: "signout.device"}); len(got) != 1 || got[0].PatronID != s.chan_.ID {
		t.Errorf("audit: %+v", got)
	}

	// Signing out this device from its own row is Log out.
	page = laptop.get("/account/sessions")
	self := s.publicIDs(s.chan_)
	laptopID := self[slices.IndexFunc(self, func(x [2]string) bool { return x[1] == "firefox/windows" })][0]
	res = laptop.post("/account/sessions/end", url.Values{"csrf": {csrf(t, page.body)}, "device": {laptopID}})
	if res.status != http.StatusSeeOther || res.location() != "/account/login?signed_out=1" {
		t.Errorf("sign out this device: %d to %q", res.status, res.location())
	}
	mustSeeRecord(t, tablet, s.chan_)
}

// idOfDevice returns the public id of the sign-out button on the row of
// the device described as words.
func idOfDevice(t *testing.T, page, words string) string {
	t.Helper()
	for _, row := range regexp.MustCompile(`(?s)<tr[ >].*?</tr>`).FindAllString(page, -1) {
		if strings.Contains(text(row), words) {
			if ids := sessionIDs(row); len(ids) == 1 {
				return ids[0]
			}
		}
	}
	t.Fatalf("no sign-out button for %s on:\n%s", words, text(page))
	return ""
}

// publicIDs returns the patron's live sessions' public ids and device
// labels, read through the library.
func (l *testLibrary) publicIDs(p library.Patron) [][2]string {
	l.t.Helper()
	live, err := l.svc.PatronSessions(l.ctx, p.ID)
	if err != nil {
		l.t.Fatal(err)
	}
	var out [][2]string
	for _, s := range live {
		out = append(out, [2]string{s.PublicID, s.Device})
	}
	return out
}

// TestSignOutEverywhere proves Sign out everywhere ends every session of
// the patron, this one too, shows the sign-in page with its notice, and
// leaves other patrons signed in; without the session's token it is
// refused and ends nothing.
func TestSignOutEverywhere(t *testing.T) {
	s := newSessionPatrons(t)
	laptop := s.chanOn(firefoxWindows)
	phone := s.chanOn(chromeAndroid)
	wong := s.wongOn(chromeMac)
	tokens := []string{laptop.sessionCookie(), phone.sessionCookie()}

	for name, form := range map[string]url.Values{
		"no token":     {},
		"wrong token":  {"csrf": {wrongToken(csrf(t, laptop.get("/account").body))}},
		"Wong's token": {"csrf": {csrf(t, wong.get("/account").body)}},
	} {
		if res := laptop.post("/account/sessions/end-all", form); res.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, res.status)
		}
	}
	if n := len(s.publicIDs(s.chan_)); n != 2 {
		t.Fatalf("refused requests ended sessions: %d left, want 2", n)
	}

	res := laptop.post("/account/sessions/end-all", url.Values{"csrf": {csrf(t, laptop.get("/account/sessions").body)}})
	if res.status != http.StatusSeeOther || res.location() != "/account/login?signed_out=1" {
		t.Fatalf("sign out everywhere: %d to %q", res.status, res.location())
	}
	if laptop.sessionCookie() != "" {
		t.Error("this device's cookie was not deleted")
	}
	login := laptop.get(res.location())
	mustContain(t, text(login.body), "You have signed out.")
	for _, token := range tokens {
		mustGetNothing(t, s.testLibrary, token, s.chan_)
	}
	if n := len(s.publicIDs(s.chan_)); n != 0 {
		t.Errorf("%d sessions left", n)
	}
	mustSeeRecord(t, wong, s.wong)
	if got := s.audit(library.AuditFilter{Action: "signout.everywhere"}); len(got) != 1 || got[0].PatronID != s.chan_.ID {
		t.Errorf("audit: %+v", got)
	}
}

// TestEndAnotherPatronsSession proves that asking to end a session of
// another patron gets exactly the answer, byte for byte, of asking to end
// one that does not exist, and changes nothing: the other patron stays
// signed in and the audit log has no entry.
func TestEndAnotherPatronsSession(t *testing.T) {
	s := newSessionPatrons(t)
	chan_ := s.chanOn(firefoxWindows)
	wong := s.wongOn(chromeAndroid)
	wongToken := wong.sessionCookie()
	wongIDs := s.publicIDs(s.wong)
	if len(wongIDs) != 1 {
		t.Fatalf("Wong has %d sessions", len(wongIDs))
	}
	// One of Chan's own sessions, ended: its id now names nothing.
	gone := s.chanOn(chromeMac)
	goneID := idOfDevice(t, chan_.get("/account/sessions").body, "Chrome on macOS")
	gone.post("/account/logout", url.Values{"csrf": {csrf(t, gone.get("/account").body)}})
	auditBefore := len(s.audit(library.AuditFilter{}))

	token := csrf(t, chan_.get("/account/sessions").body)
	try := func(publicID string) (response, response) {
		t.Helper()
		res := chan_.post("/account/sessions/end", url.Values{"csrf": {token}, "device": {publicID}})
		return res, chan_.get(res.location())
	}
	nonexistent, nonexistentPage := try("AAAAAAAAAAAAAAAAAAAAAA")
	if nonexistent.status != http.StatusSeeOther || nonexistent.location() != "/account/sessions?done=gone" {
		t.Fatalf("a session that does not exist: %d to %q", nonexistent.status, nonexistent.location())
	}
	mustContain(t, text(nonexistentPage.body), "That device is not signed in to your account")
	for name, publicID := range map[string]string{
		"Wong's session":              wongIDs[0][0],
		"Chan's ended session":        goneID,
		"Wong's session token itself": wongToken,
		"empty":                       "",
		"very long":                   strings.Repeat("A", 4000),
	} {
		res, page := try(publicID)
		if res.status != nonexistent.status || res.location() != nonexistent.location() || res.body != nonexistent.body {
			t.Errorf("%s: %d to %q, want the answer to one that does not exist", name, res.status, res.location())
		}
		if got, want := cookieNames(res.header), cookieNames(nonexistent.header); !slices.Equal(got, want) {
			t.Errorf("%s: cookies %v, want %v", name, got, want)
		}
		if page.body != nonexistentPage.body {
			t.Errorf("%s: the page after differs from a nonexistent one's", name)
		}
	}
	if got := s.publicIDs(s.wong); !slices.Equal(got, wongIDs) {
		t.Errorf("Wong's sessions changed: %v, want %v", got, wongIDs)
	}
	mustSeeRecord(t, wong, s.wong)
	mustSeeRecord(t, chan_, s.chan_)
	if n := len(s.audit(library.AuditFilter{})); n != auditBefore {
		t.Errorf("the audit log grew by %d", n-auditBefore)
	}
}
