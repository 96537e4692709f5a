package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// changePIN posts Change Password with the session's own form token.
func (c *client) changePIN(old, pin string) response {
	c.t.Helper()
	page := c.get("/account/password")
	if page.status != http.StatusOK {
		c.t.Fatalf("GET /account/password: %d to %q", page.status, page.location())
	}
	return c.post("/account/password", url.Values{"csrf": {csrf(c.t, page.body)},
		"old_pin": {old}, "new_pin": {pin}, "confirm_pin": {pin}})
}

// TestChangePasswordWrongOldPINThrottled proves that wrong old PINs on
// Change Password count exactly like failed sign-ins, per barcode and per
// client address: the first allowance-1 (9) are told the old password is
// not right; the allowance-th ends the session (its cookie deleted, the
// session gone on the server) with a page, in English and in Traditional
// Chinese, saying the patron was signed out because of too many wrong
// PINs, until when, and that library staff can unlock it. The barcode is
// then paused for sign-in too, the right PIN included, until staff
// unlock it. On SQLite and PostgreSQL. Before, wrong old PINs counted
// nothing: a session could guess the PIN without end.
func TestChangePasswordWrongOldPINThrottled(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l, _ := newLibraryOn(t, target.Fresh(t))
			allowance := l.cfg.Throttle.MaxFailures
			for _, tc := range []struct {
				barcode, lang string
				want          []string
			}{
				{"24062953", "en", []string{"Signed out: too many wrong PINs",
					"You typed a wrong current password too many times, so you have been signed out",
					"sign in again after 10:15", "Library staff can unlock your account now", "2265-6918", "lib@hkct.edu.hk"}},
				{"24031588", "zh-Hant-HK", []string{"密碼錯誤次數過多，已登出", "10:15", "2265-6918", "圖書館職員"}},
			} {
				p := l.patron(tc.barcode, "Patron "+tc.barcode, nil)
				l.chosenPIN(p, "reading-room-7")
				c := l.client()
				c.header.Set("Accept-Language", tc.lang)
				c.mustSignIn(p.Barcode, "reading-room-7", "/account")
				token := c.sessionCookie()
				for i := range allowance - 1 {
					res := c.changePIN("wrong-pin-1", "lantern-by-the-pier-9")
					if res.status != http.StatusUnprocessableEntity {
						t.Fatalf("%s: wrong old PIN %d: status %d, want 422\n%s", tc.lang, i+1, res.status, text(res.body))
					}
				}
				if n := failures(l, "barcode:"+p.Barcode); n != allowance-1 {
					t.Errorf("%s: %d failures counted for the barcode after %d wrong old PINs, want %d", tc.lang, n, allowance-1, allowance-1)
				}
				res := c.changePIN("wrong-pin-1", "lantern-by-the-pier-9")
				if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
					t.Errorf("%s: the wrong old PIN that reaches the allowance: status %d (Retry-After %q), want 429 with Retry-After",
						tc.lang, res.status, res.header.Get("Retry-After"))
				}
				mustContain(t, text(res.body), tc.want...)
				if c.sessionCookie() != "" {
					t.Errorf("%s: the session cookie was not deleted", tc.lang)
				}
				mustGetNothing(t, l, token, p)
				if got := l.pinOf(p); got.Kind != library.PINChosen {
					t.Errorf("%s: the PIN changed to %v", tc.lang, got.Kind)
				}

				// Paused for sign-in too, the right PIN included, until unlocked.
				if res := l.client().signIn(p.Barcode, "reading-room-7"); res.status != http.StatusTooManyRequests {
					t.Errorf("%s: the right PIN after the session ended: status %d, want 429", tc.lang, res.status)
				}
				if err := l.svc.Unlock(l.ctx, p.Barcode, "staff:dee"); err != nil {
					t.Fatal(err)
				}
				l.client().mustSignIn(p.Barcode, "reading-room-7", "/account")
			}
			// The address counted every wrong old PIN as well.
			if n := failures(l, "addr:127.0.0.1"); n != 2*allowance {
				t.Errorf("%d failures counted for the client address, want %d", n, 2*allowance)
			}
		})
	}
}

// TestChangePasswordPausedBarcode proves that while a barcode is paused
// (by wrong PINs at the sign-in form elsewhere), a session of the patron
// cannot have any old PIN checked on Change Password, not even the right
// one: it is told the checks are paused and until when, with no hashing,
// and the session goes on. Before, Change Password ignored the pause.
func TestChangePasswordPausedBarcode(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")
	c := l.client()
	c.mustSignIn(p.Barcode, "reading-room-7", "/account")
	for range l.cfg.Throttle.MaxFailures {
		l.clientFrom("127.0.0.2").signIn(p.Barcode, "wrong-pin-1")
	}
	l.hashFree("Change Password while paused", func() {
		res := c.changePIN("reading-room-7", "lantern-by-the-pier-9")
		if res.status != http.StatusTooManyRequests {
			t.Errorf("the right old PIN while the barcode is paused: status %d, want 429", res.status)
		}
		mustContain(t, text(res.body), "Checking your password is paused until 10:15")
	})
	if got := l.pinOf(p); got.Kind != library.PINChosen || c.sessionCookie() == "" {
		t.Errorf("while paused: PIN %v, cookie %q; want the PIN unchanged and the session kept", got.Kind, c.sessionCookie())
	}
	mustSeeRecord(t, c, p)
}

// TestOverlongPINNotCounted proves that a PIN longer than pin.max_length,
// which can never be right, is refused at sign-in and as the old PIN on
// Change Password without counting against the patron or the address:
// twelve of each (more than the allowance of 10) leave the failure counts
// at zero and the patron signs in with the right PIN. On SQLite and
// PostgreSQL. Before, each counted a failure: a few overlong PINs paused
// any patron.
func TestOverlongPINNotCounted(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l, _ := newLibraryOn(t, target.Fresh(t))
			p := l.patron("24062953", "Chan Tai Man", nil)
			l.chosenPIN(p, "reading-room-7")
			overlong := strings.Repeat("x", l.cfg.PIN.MaxLength+1)
			c := l.client()
			c.mustSignIn(p.Barcode, "reading-room-7", "/account")
			for range l.cfg.Throttle.MaxFailures + 2 {
				if res := l.client().signIn(p.Barcode, overlong); res.status != http.StatusUnauthorized {
					t.Fatalf("sign-in with an overlong PIN: status %d, want 401", res.status)
				}
				if res := c.changePIN(overlong, "lantern-by-the-pier-9"); res.status != http.StatusUnprocessableEntity {
					t.Fatalf("Change Password with an overlong old PIN: status %d, want 422", res.status)
				}
			}
			for _, key := range []string{"barcode:" + p.Barcode, "addr:127.0.0.1"} {
				if n := failures(l, key); n != 0 {
					t.Errorf("%d failures counted for %s after overlong PINs, want 0", n, key)
				}
			}
			l.client().mustSignIn(p.Barcode, "reading-room-7", "/account")
		})
	}
}
