package web_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
	"github.com/carrel-library/carrel/internal/web"
)

// testLibrary is a real Carrel: a fresh SQLite database, the library
// service on a fixed clock, and the web server on a free port.
type testLibrary struct {
	t   *testing.T
	ctx context.Context
	svc *library.Service
	cfg *library.Config
	key *library.SecretKey // the library's secret key, which seals two-factor secrets
	now time.Time
	url string
}

// today is the day the test libraries live on: Saturday 28 November 2026, 10:00 in Hong Kong.
var today = library.NewDate(2026, time.November, 28)

// newLibrary boots a library; edit, when given, changes the configuration first.
func newLibrary(t *testing.T, edit func(*library.Config)) *testLibrary {
	t.Helper()
	return newLibraryWith(t, edit, web.Options{})
}

// newLibraryWith boots a library whose web server has the given options;
// its address is always a free port.
func newLibraryWith(t *testing.T, edit func(*library.Config), opts web.Options) *testLibrary {
	t.Helper()
	cfg := library.DefaultConfig()
	if edit != nil {
		edit(&cfg)
		if err := cfg.Prepare(); err != nil {
			t.Fatal(err)
		}
	}
	l := &testLibrary{t: t, ctx: context.Background(), cfg: &cfg}
	l.svc = library.NewService(&cfg, storagetest.New(t), library.NewHasher(0))
	l.useSecretKey()
	l.now = today.Time(cfg.Location()).Add(10 * time.Hour)
	l.svc.SetClock(func() time.Time { return l.now })
	opts.Addr = "127.0.0.1:0"
	if opts.Logger == nil {
		// Carrel's own faults show in the test's log.
		opts.Logger = slog.New(slog.NewTextHandler(testLog{t}, nil))
	}
	srv, err := web.New(l.svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	l.url = srv.URL()
	return l
}

// testLog writes a server's log lines to the test's log.
type testLog struct{ t *testing.T }

func (w testLog) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// useSecretKey gives the library a new secret key, as `carrel serve` gives
// it the key of its key file, and binds the database to it.
func (l *testLibrary) useSecretKey() {
	l.t.Helper()
	raw := make([]byte, library.SecretKeySize)
	rand.Read(raw)
	key, err := library.NewSecretKey(raw)
	if err != nil {
		l.t.Fatal(err)
	}
	l.key = key
	l.svc.UseSecretKey(key)
	if _, err := l.svc.BindSecretKey(l.ctx); err != nil {
		l.t.Fatal(err)
	}
}

// setTOTP gives a staff account two-factor codes with the base32 secret,
// stored sealed as a set-up would store it.
func (l *testLibrary) setTOTP(staffID int64, secret string) {
	l.t.Helper()
	l.update(func(tx library.Tx) error {
		st, err := tx.StaffByID(staffID)
		if err != nil {
			return err
		}
		st.TOTPSecret = l.key.SealTOTP(st.ID, secret)
		return tx.UpdateStaff(st)
	})
}

func (l *testLibrary) update(fn func(tx library.Tx) error) {
	l.t.Helper()
	if err := l.svc.Store().Update(l.ctx, fn); err != nil {
		l.t.Fatal(err)
	}
}

// patron stores a registered student on the barcode preset (registered
// after the 2018 cut-over), then applies edit.
func (l *testLibrary) patron(barcode, name string, edit func(*library.Patron)) library.Patron {
	l.t.Helper()
	p := library.Patron{
		Barcode: barcode, Category: "student", Name: name,
		RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31),
		PIN: library.PINRecord{Kind: library.PINPreset},
	}
	if edit != nil {
		edit(&p)
	}
	l.update(func(tx library.Tx) error { return tx.CreatePatron(&p) })
	return p
}

// chosenPIN gives the patron a PIN of their own (one argon2id hash).
func (l *testLibrary) chosenPIN(p library.Patron, pin string) {
	l.t.Helper()
	h, err := l.svc.Hasher().Hash(l.ctx, pin)
	if err != nil {
		l.t.Fatal(err)
	}
	l.update(func(tx library.Tx) error {
		return tx.SetPIN(p.ID, library.PINRecord{Kind: library.PINChosen, Hash: h, SetAt: l.now})
	})
}

// loan lends a new item to p, borrowed and due on the given days.
func (l *testLibrary) loan(p library.Patron, itemBarcode, title string, borrowed, due library.Date, renewals int) library.Loan {
	l.t.Helper()
	it := library.Item{Barcode: itemBarcode, Title: title, Author: "Author of " + title, CallNumber: "QA76.6 .C" + itemBarcode[len(itemBarcode)-3:], Location: "Main Library 3/F"}
	loc := l.cfg.Location()
	ln := library.Loan{PatronID: p.ID, Item: it, CheckedOutAt: borrowed.Time(loc).Add(11 * time.Hour), DueAt: due.EndOf(loc), Renewals: renewals}
	l.update(func(tx library.Tx) error {
		if err := tx.CreateItem(&ln.Item); err != nil {
			return err
		}
		return tx.CreateLoan(&ln)
	})
	return ln
}

// openLoans reads the patron's current loans straight from the database.
func (l *testLibrary) openLoans(p library.Patron) []library.Loan {
	l.t.Helper()
	var loans []library.Loan
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		var err error
		loans, err = tx.OpenLoans(p.ID)
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return loans
}

// pinOf reads what is stored of the patron's PIN.
func (l *testLibrary) pinOf(p library.Patron) library.PINRecord {
	l.t.Helper()
	var got library.Patron
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		var err error
		got, err = tx.PatronByID(p.ID)
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return got.PIN
}

// client is a browser without JavaScript: it keeps cookies and does not
// follow redirects, so tests see each one.
type client struct {
	t      *testing.T
	base   string
	c      *http.Client
	header http.Header // sent with every request
}

func (l *testLibrary) client() *client {
	l.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		l.t.Fatal(err)
	}
	return &client{t: l.t, base: l.url, header: http.Header{}, c: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is what came back, read in full.
type response struct {
	status int
	header http.Header
	body   string
}

// location returns where a redirect points.
func (r response) location() string { return r.header.Get("Location") }

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	for k, v := range c.header {
		req.Header[k] = v
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// signIn posts the sign-in form.
func (c *client) signIn(barcode, pin string) response {
	c.t.Helper()
	return c.post("/account/login", url.Values{"barcode": {barcode}, "pin": {pin}})
}

// mustSignIn signs in and expects a redirect to want.
func (c *client) mustSignIn(barcode, pin, want string) {
	c.t.Helper()
	res := c.signIn(barcode, pin)
	if res.status != http.StatusSeeOther || res.location() != want {
		c.t.Fatalf("sign in as %s: got %d to %q, want 303 to %q\n%s", barcode, res.status, res.location(), want, res.body)
	}
}

// sessionCookie returns the session cookie the client holds.
func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == "carrel_session" {
			return ck.Value
		}
	}
	return ""
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the first session-bound form on a page.
func csrf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field on page:\n%s", page)
	}
	return m[1]
}

// mustContain fails unless body contains every one of want.
func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	missing := false
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
			missing = true
		}
	}
	if missing {
		t.Logf("page:\n%s", text(body))
	}
}

// mustNotContain fails if body contains any of bad.
func mustNotContain(t *testing.T, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if b != "" && strings.Contains(body, b) {
			t.Errorf("page contains %q", b)
		}
	}
}

var (
	inlineTags = regexp.MustCompile(`</?(a|strong|span|label)\b[^>]*>`)
	tags       = regexp.MustCompile(`<[^>]*>`)
)
var spaces = regexp.MustCompile(`\s+`)

// text is a page's text without tags, with HTML's common escapes undone,
// so tests can look for sentences that span links.
func text(page string) string {
	s := inlineTags.ReplaceAllString(page, "")
	s = tags.ReplaceAllString(s, " ")
	s = strings.NewReplacer("&#39;", "'", "&amp;", "&", "&quot;", `"`, "&lt;", "<", "&gt;", ">", "&#34;", `"`).Replace(s)
	return spaces.ReplaceAllString(s, " ")
}

func id(l library.Loan) string { return strconv.FormatInt(l.ID, 10) }

func indexOf(s, sub string) int { return strings.Index(s, sub) }

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
