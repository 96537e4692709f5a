package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
	"github.com/carrel-library/carrel/internal/web"
)

// badValues are what a broken client or an attacker puts in a field: bytes
// that are not UTF-8, a NUL byte (which PostgreSQL cannot store in text),
// and a field of 1 MB.
var badValues = []struct{ name, value string }{
	{"invalid UTF-8", "20\xff\xfe24 caf\xe9"},
	{"NUL byte", "2024\x000001"},
	{"1 MB", strings.Repeat("x", 1<<20)},
}

// badForm is a form with every field filled in well: a post of it as it
// is changes the library, and a post with any one field made bad must not.
type badForm struct {
	name   string
	c      *client
	method string // POST, or GET for a search form
	action string
	good   url.Values
}

// clearMessages are the headings of the answers to bad input that say
// what went wrong: a form shown again with its error summary, or the
// error page of a form that could not be read, was too large or was out
// of date.
var clearMessages = []string{
	"There is a problem",              // form.error_summary
	"The form could not be read",      // error.bad_request.title
	"Too much was sent",               // error.too_large.title
	"Nothing was changed",             // error.forbidden.title
	"Page not found",                  // error.not_found.title (a malformed id)
	"That cannot be done now",         // error.refused.title
	"Request Header Fields Too Large", // net/http's answer to a 1 MB address
}

// TestBadInputChangesNothing sends invalid UTF-8, a NUL byte and a 1 MB
// value in every field of the sign-in, Change Password, renew and the main
// staff forms, one field at a time, on each kind of database. Each must get
// a 4xx answer that says what is wrong, never a 500, and leave every table
// of the database exactly as it was (row counts and checksums, sessions and
// sign-in failures included). The same form sent well afterwards does
// change the library, so the check can see a change.
func TestBadInputChangesNothing(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l, db := newLibraryOn(t, target.Fresh(t))
			forms := badInputForms(t, l)
			for _, f := range forms {
				t.Run(f.name, func(t *testing.T) {
					snap := copyLibrary(t, db)
					fields := sortedKeys(f.good)
					for _, field := range fields {
						for _, bad := range badValues {
							res := f.send(with(f.good, field, bad.value))
							if res.status == http.StatusInternalServerError || res.status < 400 || res.status > 499 {
								t.Errorf("%s in %s: status %d, want 4xx\n%.600s", bad.name, field, res.status, text(res.body))
							} else if !saysWhy(res.body) {
								t.Errorf("%s in %s: status %d without a message\n%.600s", bad.name, field, res.status, text(res.body))
							}
							if err := storage.Verify(l.ctx, snap, db); err != nil {
								t.Fatalf("%s in %s changed the library: %v", bad.name, field, err)
							}
						}
					}
					if f.method == http.MethodGet {
						return
					}
					// The control: the form sent well is accepted and changes
					// the library, so the checks above could see a change.
					res := f.send(f.good)
					if res.status >= 400 {
						t.Fatalf("the good form: status %d\n%.600s", res.status, text(res.body))
					}
					if storage.Verify(l.ctx, snap, db) == nil {
						t.Fatalf("the good form changed nothing: the test cannot see a change")
					}
				})
			}
		})
	}
}

// send posts (or gets) the form's fields.
func (f badForm) send(v url.Values) response {
	if f.method == http.MethodGet {
		return f.c.get(f.action + "?" + v.Encode())
	}
	return f.c.post(f.action, v)
}

// saysWhy reports whether a page carries one of the clear messages.
func saysWhy(body string) bool {
	for _, m := range clearMessages {
		if strings.Contains(text(body), m) {
			return true
		}
	}
	return false
}

// badInputForms gives a library what its forms work on and returns every
// form to try, each filled in so that sending it as it is would change
// the library.
func badInputForms(t *testing.T, l *testLibrary) []badForm {
	t.Helper()
	const pin = "violet tram harbour 7"
	reader := l.patron("20240001", "Chan Tai Man", nil)
	l.chosenPIN(reader, pin)
	loan := l.loan(reader, "B0001", "Dream of the Red Chamber", today.AddDays(-10), today.AddDays(4), 0)
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: reader.ID, Kind: library.FineCharge, Amount: 1200, Note: "overdue", CreatedAt: l.now})
	})
	holder := l.patron("20240003", "Lee Ka Yan", func(p *library.Patron) {
		p.RegisteredOn, p.ExpiresOn, p.PIN = library.Date{}, library.Date{}, library.PINRecord{Kind: library.PINNone}
	})
	shelf := l.item("B0002", "Fortress Besieged")
	admin := l.staffClient(l.staff("alice", library.RoleAdmin))

	anon := l.client()
	patron := l.client()
	patron.mustSignIn(reader.Barcode, pin, "/account")
	record := patron.get("/account")
	pwPage := patron.get("/account/password")

	pPath := "/staff/patrons/" + strconv.FormatInt(reader.ID, 10)
	hPath := "/staff/patrons/" + strconv.FormatInt(holder.ID, 10)
	iPath := "/staff/items/" + strconv.FormatInt(shelf.ID, 10)
	patronPage := admin.get(pPath).body
	holderPage := admin.get(hPath).body
	editPage := admin.get(pPath + "/edit").body
	newItemPage := admin.get("/staff/items/new").body
	editItemPage := admin.get(iPath + "/edit").body

	return []badForm{
		{"sign-in", anon, http.MethodPost, "/account/login",
			url.Values{"barcode": {reader.Barcode}, "pin": {pin}}},
		{"change password", patron, http.MethodPost, "/account/password",
			with(form(t, pwPage.body, "/account/password"), "old_pin", pin, "new_pin", "granite lantern reading 9", "confirm_pin", "granite lantern reading 9")},
		{"renew", patron, http.MethodPost, "/account/renew",
			with(form(t, record.body, "/account/renew"), "loan", id(loan))},
		{"register patron", admin, http.MethodPost, hPath + "/register",
			with(form(t, holderPage, hPath+"/register"), "confirm", "yes")},
		{"edit patron", admin, http.MethodPost, pPath + "/edit",
			with(form(t, editPage, pPath+"/edit"), "name", "Chan Tai-man", "email", "tm.chan@example.edu.hk", "category", "student")},
		{"add item", admin, http.MethodPost, "/staff/items",
			with(form(t, newItemPage, "/staff/items"), "barcode", "B0003", "title", "The Book and the Sword",
				"author", "Jin Yong", "call_number", "PL2848 .Y8", "location", "Main Library")},
		{"edit item", admin, http.MethodPost, iPath + "/edit",
			with(form(t, editItemPage, iPath+"/edit"), "title", "Fortress Besieged (2nd ed.)", "author", "Qian Zhongshu")},
		{"payment", admin, http.MethodPost, pPath + "/payment",
			with(form(t, patronPage, pPath+"/payment"), "pay_amount", "5.00", "pay_method", "card", "pay_receipt", "T-20240001", "pay_note", "terminal 2")},
		{"patron search", admin, http.MethodGet, "/staff/patrons", url.Values{"q": {"Chan"}}},
		{"item search", admin, http.MethodGet, "/staff/items", url.Values{"q": {"Fortress"}}},
		{"cash-up", admin, http.MethodGet, "/staff/cashup", url.Values{"day": {"2026-11-28"}, "staff": {"alice"}}},
		{"audit log", admin, http.MethodGet, "/staff/audit", url.Values{"patron": {reader.Barcode}, "actor": {"alice"},
			"action": {"fine."}, "from": {"2026-11-01"}, "until": {"2026-11-30"}}},
	}
}

// newLibraryOn boots a library, as newLibrary does, on the database at
// target (a fresh SQLite file or PostgreSQL schema), and returns it with
// the database, so a test can compare its tables.
func newLibraryOn(t *testing.T, target string) (*testLibrary, *storage.DB) {
	t.Helper()
	cfg := library.DefaultConfig()
	db := storagetest.Open(t, target)
	l := &testLibrary{t: t, ctx: context.Background(), cfg: &cfg}
	l.svc = library.NewService(&cfg, db, library.NewHasher(0))
	l.useSecretKey()
	l.now = today.Time(cfg.Location()).Add(10 * time.Hour)
	l.svc.SetClock(func() time.Time { return l.now })
	srv, err := web.New(l.svc, web.Options{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(testLog{t}, nil))})
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
	return l, db
}

// copyLibrary copies the whole library, sessions included, into a new SQLite
// file, for storage.Verify to compare with later.
func copyLibrary(t *testing.T, db *storage.DB) *storage.DB {
	t.Helper()
	ctx := context.Background()
	snap, err := storage.Open(ctx, filepath.Join(t.TempDir(), "snapshot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { snap.Close() })
	if _, err := storage.Copy(ctx, snap, db, storage.CopyOptions{Sessions: true}); err != nil {
		t.Fatal(err)
	}
	return snap
}

func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
