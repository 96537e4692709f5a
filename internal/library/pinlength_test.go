package library_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// longPIN is a PIN of exactly n characters, not on the blocklist and free
// of any barcode or name the tests use.
func longPIN(n int) string {
	return strings.Repeat("Quiet lamp, north wing 7; ", n/26+1)[:n]
}

// noHashing fails the test unless fn runs no argon2id derivation.
func noHashing(t *testing.T, f *fixture, what string, fn func()) {
	t.Helper()
	before := f.svc.Hasher().Derivations()
	fn()
	if n := f.svc.Hasher().Derivations() - before; n != 0 {
		t.Errorf("%s: %d argon2id derivations, want none: the length must be checked first", what, n)
	}
}

// wantTooLong fails the test unless err refuses a PIN as too long.
func wantTooLong(t *testing.T, what string, err error) {
	t.Helper()
	var pe *library.PolicyError
	if !errors.As(err, &pe) || pe.Problem != library.PINTooLong {
		t.Errorf("%s: %v, want the PIN refused as too long", what, err)
	}
}

// TestPINLengthLimit proves the limit of 128 characters (the default) is
// enforced everywhere a PIN or password is typed, before any hashing, and
// that a PIN over it is refused, never truncated: a PIN of 128 characters
// works from end to end, its first 127 characters do not, and neither do
// 129 or a megabyte.
func TestPINLengthLimit(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		max := f.svc.Config().PIN.MaxLength
		if max != 128 {
			t.Fatalf("default max_length %d, want 128", max)
		}
		pin128, pin129 := longPIN(128), longPIN(129)
		huge := strings.Repeat("x", 1<<20)
		p := f.patron("24010001", nil)

		// Choosing a PIN: 129 characters are refused before any hashing.
		in, err := f.svc.SignIn(f.ctx, p.Barcode, p.Barcode, "10.0.0.1")
		if err != nil {
			t.Fatalf("sign in with the barcode preset: %v", err)
		}
		for _, pin := range []string{pin129, huge} {
			noHashing(t, f, "ChangePIN to a PIN too long", func() {
				wantTooLong(t, "ChangePIN", f.svc.ChangePIN(f.ctx, in.Session, p.Barcode, pin, pin, ""))
			})
		}
		if err := f.svc.ChangePIN(f.ctx, in.Session, p.Barcode, pin128, pin128, ""); err != nil {
			t.Fatalf("ChangePIN to 128 characters: %v", err)
		}

		// Signing in: 128 works; 127, 129 and a megabyte do not, and the
		// last two cost no hashing.
		if _, err := f.svc.SignIn(f.ctx, p.Barcode, pin128, "10.0.0.1"); err != nil {
			t.Errorf("sign in with the 128-character PIN: %v", err)
		}
		if _, err := f.svc.SignIn(f.ctx, p.Barcode, pin128[:127], "10.0.0.1"); err != library.ErrSignInFailed {
			t.Errorf("sign in with its first 127 characters: %v, want ErrSignInFailed", err)
		}
		for _, pin := range []string{pin129, pin128 + "x", huge} {
			noHashing(t, f, "SignIn with a PIN too long", func() {
				if _, err := f.svc.SignIn(f.ctx, p.Barcode, pin, "10.0.0.1"); err != library.ErrSignInFailed {
					t.Errorf("sign in with %d characters: %v, want ErrSignInFailed", len(pin), err)
				}
			})
		}

		// A machine's check (SIP2 AD) the same way.
		if v, err := f.svc.VerifyPIN(f.ctx, library.SIPAccount{Login: "kiosk"}, "", p.Barcode, pin128); err != nil || v.Verdict != library.PINRight {
			t.Errorf("VerifyPIN with 128 characters: %v, %v; want PINRight", v.Verdict, err)
		}
		if v, err := f.svc.VerifyPIN(f.ctx, library.SIPAccount{Login: "kiosk"}, "", p.Barcode, pin128[:127]); err != nil || v.Verdict != library.PINWrong {
			t.Errorf("VerifyPIN with 127 characters: %v, %v; want PINWrong", v.Verdict, err)
		}
		noHashing(t, f, "VerifyPIN with a PIN too long", func() {
			if v, err := f.svc.VerifyPIN(f.ctx, library.SIPAccount{Login: "kiosk"}, "", p.Barcode, pin129); err != nil || v.Verdict != library.PINWrong {
				t.Errorf("VerifyPIN with 129 characters: %v, %v; want PINWrong", v.Verdict, err)
			}
		})

		// Staff passwords follow the same limit.
		admin := f.admin()
		noHashing(t, f, "AddStaff with a password too long", func() {
			_, err := f.svc.AddStaff(f.ctx, admin, library.NewStaff{Username: "kit", Name: "Kit Lee", Role: library.RoleDesk}, pin129)
			wantTooLong(t, "AddStaff", err)
		})
		if _, err := f.svc.AddStaff(f.ctx, admin, library.NewStaff{Username: "kit", Name: "Kit Lee", Role: library.RoleDesk}, pin128); err != nil {
			t.Fatalf("AddStaff with 128 characters: %v", err)
		}
		noHashing(t, f, "SetStaffPassword with a password too long", func() {
			wantTooLong(t, "SetStaffPassword", f.svc.SetStaffPassword(f.ctx, admin, "kit", pin129))
		})
		if _, err := f.svc.StaffSignIn(f.ctx, "kit", pin128, "10.0.0.2"); err != nil {
			t.Errorf("staff sign-in with 128 characters: %v", err)
		}
		if _, err := f.svc.StaffSignIn(f.ctx, "kit", pin128[:127], "10.0.0.2"); err != library.ErrStaffSignInFailed {
			t.Errorf("staff sign-in with the first 127 characters: %v, want ErrStaffSignInFailed", err)
		}
		noHashing(t, f, "StaffSignIn with a password too long", func() {
			if _, err := f.svc.StaffSignIn(f.ctx, "kit", pin129, "10.0.0.2"); err != library.ErrStaffSignInFailed {
				t.Errorf("staff sign-in with 129 characters: %v, want ErrStaffSignInFailed", err)
			}
		})
	})
}

// TestPINLengthCountedAsChosen proves sign-in counts a PIN's characters as
// the policy did when it was chosen (after NFKC), so a PIN typed with
// combining accents, which the policy allowed, is not then refused as too
// long at sign-in.
func TestPINLengthCountedAsChosen(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		// "café " with a combining acute: 6 code points typed, 5 after NFKC;
		// 25 of them are 150 code points typed and 125 characters.
		pin := strings.Repeat("cafe\u0301 ", 25)
		p := f.patron("24010002", nil)
		in, err := f.svc.SignIn(f.ctx, p.Barcode, p.Barcode, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ChangePIN(f.ctx, in.Session, p.Barcode, pin, pin, ""); err != nil {
			t.Fatalf("ChangePIN: %v", err)
		}
		if _, err := f.svc.SignIn(f.ctx, p.Barcode, pin, "10.0.0.1"); err != nil {
			t.Errorf("sign in with the PIN as it was chosen: %v", err)
		}
	})
}
