package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// TestTwoFactorSetupSealedForm proves over HTTP, on each kind of
// database, that the desk's two-factor set-up page stores nothing when
// visited, carries its secret sealed in the form and not in clear, and
// refuses a form whose sealed set-up was changed or was made for another
// session, even with the right code for it: 422 with a message and a new
// secret to scan, and nothing changed. The set-up sent as it was, with a
// right code, gives the account codes, and the next sign-in asks for one
// and takes the next.
func TestTwoFactorSetupSealedForm(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l, db := newLibraryOn(t, target.Fresh(t))
			dee := l.staff("dee", library.RoleDesk)
			ada := l.staff("ada", library.RoleAdmin)
			desk, admin := l.staffClient(dee), l.staffClient(ada)
			code := func(secret string, at time.Time) string {
				t.Helper()
				c, err := totp.GenerateCode(secret, at)
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			secretOf := func(page string) string {
				t.Helper()
				return strings.ReplaceAll(regexpFind(t, page, `id="secret">([^<]+)<`), " ", "")
			}

			snap := copyLibrary(t, db)
			page := desk.get("/staff/two-factor")
			if page.status != http.StatusOK {
				t.Fatalf("GET /staff/two-factor: %d", page.status)
			}
			secret := secretOf(page.body)
			setup := form(t, page.body, "/staff/two-factor")
			if sealed := setup.Get("setup"); !library.Sealed(sealed) || strings.Contains(strings.ToUpper(sealed), secret) {
				t.Errorf("the form carries the set-up as %q, not sealed", sealed)
			}
			adminPage := admin.get("/staff/two-factor")
			adminSetup, adminSecret := form(t, adminPage.body, "/staff/two-factor"), secretOf(adminPage.body)
			if err := storage.Verify(l.ctx, snap, db); err != nil {
				t.Errorf("visiting the set-up page changed the library: %v", err)
			}
			// dee signed in at another desk too.
			otherPage := l.staffClient(dee).get("/staff/two-factor")
			otherSetup, otherSecret := form(t, otherPage.body, "/staff/two-factor"), secretOf(otherPage.body)
			snap = copyLibrary(t, db) // the second sign-in is in it

			sealed := []byte(setup.Get("setup"))
			sealed[len(sealed)/2] ^= 1
			for _, bad := range []struct{ name, setup, secret string }{
				{"a changed set-up", string(sealed), secret},
				{"another account's set-up", adminSetup.Get("setup"), adminSecret},
				{"the same account's set-up at another desk", otherSetup.Get("setup"), otherSecret},
				{"the secret in clear", secret, secret},
				{"no set-up", "", secret},
			} {
				res := desk.post("/staff/two-factor", with(setup, "setup", bad.setup, "code", code(bad.secret, l.now)))
				if res.status != http.StatusUnprocessableEntity {
					t.Errorf("%s: %d, want 422", bad.name, res.status)
					continue
				}
				mustContain(t, text(res.body), "That set-up had expired or could not be read, so nothing was changed")
				if got := secretOf(res.body); got == secret || got == adminSecret || got == otherSecret {
					t.Errorf("%s: the page shows an old secret again, want a new one", bad.name)
				}
				if err := storage.Verify(l.ctx, snap, db); err != nil {
					t.Errorf("%s changed the library: %v", bad.name, err)
				}
			}
			// A wrong code shows the same secret again, for another try.
			res := desk.post("/staff/two-factor", with(setup, "code", "000000"))
			if res.status != http.StatusUnprocessableEntity || secretOf(res.body) != secret {
				t.Errorf("a wrong code: %d, same secret shown %v", res.status, secretOf(res.body) == secret)
			}

			res = desk.post("/staff/two-factor", with(setup, "code", code(secret, l.now)))
			if res.status != http.StatusSeeOther || res.location() != "/staff/two-factor?done=two_factor" {
				t.Fatalf("the set-up as it was, with a right code: %d to %q\n%s", res.status, res.location(), text(res.body))
			}
			// Signed in again, the password is not enough: the next code is.
			l.now = l.now.Add(30 * time.Second)
			c := l.client()
			c.mustStaffSignInCode(t, "dee", deskPassword)
			res = c.submit(c.get("/staff/login/code").body, "/staff/login/code", "code", code(secret, l.now))
			if res.status != http.StatusSeeOther || res.location() != "/staff" {
				t.Fatalf("sign-in with the code: %d to %q\n%s", res.status, res.location(), text(res.body))
			}
			// The admin's page, never confirmed, gave the admin no codes.
			if res := l.client().staffSignIn("ada", adminPassword); res.status != http.StatusSeeOther || res.location() != "/staff" {
				t.Errorf("ada after an unconfirmed set-up: %d to %q, want the desk", res.status, res.location())
			}
		})
	}
}
