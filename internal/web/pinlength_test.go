package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// webPIN is a PIN of exactly n characters, not on the blocklist and free
// of any barcode or name the tests use.
func webPIN(n int) string {
	return strings.Repeat("Quiet lamp, north wing 7; ", n/26+1)[:n]
}

// hashFree fails the test unless fn costs the library no argon2id
// derivation.
func (l *testLibrary) hashFree(what string, fn func()) {
	l.t.Helper()
	before := l.svc.Hasher().Derivations()
	fn()
	if n := l.svc.Hasher().Derivations() - before; n != 0 {
		l.t.Errorf("%s: %d argon2id derivations, want none: the length must be refused first", what, n)
	}
}

// TestPINLengthOnTheWeb proves, through the running server, that the PIN
// length limit (128 characters by default) is enforced before any hashing
// on the sign-in form, on Change Password and on the staff sign-in form;
// that a PIN over it is refused, not truncated; and that a PIN of exactly
// 128 characters is chosen and signs in, while its first 127 do not.
func TestPINLengthOnTheWeb(t *testing.T) {
	l := newLibrary(t, nil)
	pin128, pin129 := webPIN(128), webPIN(129)
	p := l.patron("24062953", "Chan Tai Man", nil)

	// Change Password, from the barcode preset.
	c := l.client()
	c.mustSignIn(p.Barcode, p.Barcode, "/account/password")
	page := c.get("/account/password")
	l.hashFree("Change Password to 129 characters", func() {
		res := c.submit(page.body, "/account/password", "old_pin", p.Barcode, "new_pin", pin129, "confirm_pin", pin129)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("Change Password to 129 characters: status %d, want 422", res.status)
		}
		mustContain(t, text(res.body), "The new password is too long: use at most 128 characters.")
	})
	if got := l.pinOf(p); got.Kind != library.PINPreset {
		t.Fatalf("after a refused change the PIN is %v, want the preset still", got.Kind)
	}
	res := c.submit(page.body, "/account/password", "old_pin", p.Barcode, "new_pin", pin128, "confirm_pin", pin128)
	if res.status != http.StatusSeeOther {
		t.Fatalf("Change Password to 128 characters: status %d\n%s", res.status, text(res.body))
	}

	// Sign-in: 128 characters work, 127 and 129 do not; 129 and a
	// megabyte cost no hashing.
	l.client().mustSignIn(p.Barcode, pin128, "/account")
	if res := l.client().signIn(p.Barcode, pin128[:127]); res.status != http.StatusUnauthorized {
		t.Errorf("the first 127 characters of the PIN: status %d, want 401", res.status)
	}
	for _, pin := range []string{pin129, pin128 + "x", strings.Repeat("x", 1<<20)} {
		l.hashFree("sign-in with a PIN too long", func() {
			res := l.client().signIn(p.Barcode, pin)
			if res.status != http.StatusUnauthorized && res.status != http.StatusRequestEntityTooLarge {
				t.Errorf("sign-in with %d characters: status %d, want 401 (or 413 for a body over the limit)", len(pin), res.status)
			}
		})
	}

	// The staff sign-in form.
	st, err := l.svc.AddStaff(l.ctx, library.CommandLine, library.NewStaff{Username: "kit", Name: "Kit Lee", Role: library.RoleDesk}, pin128)
	if err != nil {
		t.Fatalf("a staff password of 128 characters: %v", err)
	}
	l.client().mustStaffSignIn(st.Username, pin128)
	if res := l.client().staffSignIn(st.Username, pin128[:127]); res.status != http.StatusUnauthorized {
		t.Errorf("staff sign-in with the first 127 characters: status %d, want 401", res.status)
	}
	l.hashFree("staff sign-in with 129 characters", func() {
		if res := l.client().staffSignIn(st.Username, pin129); res.status != http.StatusUnauthorized {
			t.Errorf("staff sign-in with 129 characters: status %d, want 401", res.status)
		}
	})
}
