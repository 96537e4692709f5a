package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// Staff passwords the tests use: long enough and not on the blocklist.
const (
	adminPassword = "granite-harbour-lantern-42"
	deskPassword  = "quiet-reading-room-lamp-7"
)

// staff adds a staff account with the given role.
func (l *testLibrary) staff(username string, role library.Role) library.Staff {
	l.t.Helper()
	pw := deskPassword
	if role == library.RoleAdmin {
		pw = adminPassword
	}
	st, err := l.svc.AddStaff(l.ctx, library.CommandLine, library.NewStaff{Username: username, Name: "Staff " + username, Role: role}, pw)
	if err != nil {
		l.t.Fatalf("add staff %s: %v", username, err)
	}
	return st
}

// item stores an item on the shelf.
func (l *testLibrary) item(barcode, title string) library.Item {
	l.t.Helper()
	it := library.Item{Barcode: barcode, Title: title, Author: "Author of " + title, CallNumber: "QA76 " + barcode, Location: "Main Library 2/F"}
	l.update(func(tx library.Tx) error { return tx.CreateItem(&it) })
	return it
}

// audit returns the newest entries of the audit log, newest first.
func (l *testLibrary) audit(f library.AuditFilter) []library.AuditEntry {
	l.t.Helper()
	f.Limit = library.MaxPageSize
	page, err := l.svc.SearchAudit(l.ctx, library.CommandLine, f)
	if err != nil {
		l.t.Fatal(err)
	}
	return page.Entries
}

// fines returns the patron's fine balance, read from the database.
func (l *testLibrary) balance(p library.Patron) library.Money {
	l.t.Helper()
	var b library.Money
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		var err error
		b, err = tx.FineBalance(p.ID)
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return b
}

// staffSignIn posts the staff sign-in form.
func (c *client) staffSignIn(username, password string) response {
	c.t.Helper()
	return c.post("/staff/login", url.Values{"username": {username}, "password": {password}})
}

// mustStaffSignIn signs a staff member in and expects the desk.
func (c *client) mustStaffSignIn(username, password string) {
	c.t.Helper()
	res := c.staffSignIn(username, password)
	if res.status != http.StatusSeeOther || res.location() != "/staff" {
		c.t.Fatalf("staff sign-in as %s: got %d to %q\n%s", username, res.status, res.location(), text(res.body))
	}
}

// staffClient returns a client signed in to the desk with the account's
// test password.
func (l *testLibrary) staffClient(st library.Staff) *client {
	l.t.Helper()
	c := l.client()
	pw := deskPassword
	if st.Role == library.RoleAdmin {
		pw = adminPassword
	}
	c.mustStaffSignIn(st.Username, pw)
	return c
}

// cookie returns the value of the named cookie the client holds.
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

var (
	formTag   = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	inputTag  = regexp.MustCompile(`<input\b[^>]*>`)
	attribute = regexp.MustCompile(`\b(name|value|type|action)="([^"]*)"`)
	checked   = regexp.MustCompile(`\schecked[\s>]`)
)

// attrs reads the name, value, type and action attributes of a tag.
func attrs(tag string) map[string]string {
	a := map[string]string{}
	for _, m := range attribute.FindAllStringSubmatch(tag, -1) {
		a[m[1]] = html.UnescapeString(m[2])
	}
	return a
}

// form returns the fields of the first form on the page posting to
// action, with their values as the page has them (checkboxes and radio
// buttons not checked left out), as a browser would send it.
func form(t *testing.T, page, action string) url.Values {
	t.Helper()
	for _, f := range formTag.FindAllStringSubmatch(page, -1) {
		if attrs(f[1])["action"] != action {
			continue
		}
		v := url.Values{}
		for _, in := range inputTag.FindAllString(f[2], -1) {
			a := attrs(in)
			if a["name"] == "" || a["type"] == "checkbox" || a["type"] == "radio" && !checked.MatchString(in) {
				continue
			}
			v.Set(a["name"], a["value"])
		}
		return v
	}
	t.Fatalf("no form posting to %s on page:\n%s", action, text(page))
	return nil
}

// with returns a copy of v with the given name, value pairs set.
func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// submit posts the page's form for action with the given fields changed.
func (c *client) submit(page, action string, kv ...string) response {
	c.t.Helper()
	return c.post(action, with(form(c.t, page, action), kv...))
}

var slipPIN = regexp.MustCompile(`id="slip-pin">([^<]+)<`)

// pinOnSlip returns the PIN a slip page shows.
func pinOnSlip(t *testing.T, page string) string {
	t.Helper()
	m := slipPIN.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no PIN on the slip:\n%s", text(page))
	}
	return strings.TrimSpace(m[1])
}

// latestScan returns the text of the newest line of a scan page's list.
func latestScan(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `id="scan-latest"`)
	if i < 0 {
		t.Fatalf("no scan answer on the page:\n%s", text(page))
	}
	rest := page[i:]
	if j := strings.Index(rest, "</li>"); j >= 0 {
		rest = rest[:j]
	}
	return strings.TrimSpace(text(`<li ` + rest))
}

// regexpFind returns the first submatch of pattern in s.
func regexpFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%s not found in:\n%s", pattern, text(s))
	}
	return html.UnescapeString(m[1])
}

// wrongToken returns a token that differs from token in its first
// character (a fixed "x" would equal the token one time in 64).
func wrongToken(token string) string {
	if strings.HasPrefix(token, "x") {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}
