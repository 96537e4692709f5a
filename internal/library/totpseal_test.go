package library_test

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/carrel-library/carrel/internal/library"
)

// code is the two-factor code of secret at the fixture's time.
func (f *fixture) code(secret string) string {
	f.t.Helper()
	c, err := totp.GenerateCode(secret, f.now)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// stored reads a staff account as the store holds it, secrets and all.
func (f *fixture) stored(username string) library.Staff {
	f.t.Helper()
	var st library.Staff
	err := f.svc.Store().View(f.ctx, func(tx library.Tx) error {
		var err error
		st, err = tx.StaffByUsername(username)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

// enrol sets up two-factor codes for an account with no codes, through
// a desk session, and returns the secret.
func (f *fixture) enrol(username, password string) string {
	f.t.Helper()
	in, err := f.svc.StaffSignIn(f.ctx, username, password, "192.0.2.1")
	if err != nil || in.Session.Stage != library.StageActive {
		f.t.Fatalf("sign-in of %s: %v, stage %q", username, err, in.Session.Stage)
	}
	setup, err := f.svc.BeginTOTP(f.ctx, in.Token)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.svc.ConfirmTOTP(f.ctx, in.Token, setup.Sealed, f.code(setup.Secret), "192.0.2.1"); err != nil {
		f.t.Fatalf("ConfirmTOTP for %s: %v", username, err)
	}
	f.now = f.now.Add(30 * time.Second) // the code just used is not accepted again
	return setup.Secret
}

// signInWithCode signs in with a password and then a code, and returns
// the code's error.
func (f *fixture) signInWithCode(username, password, code string) error {
	f.t.Helper()
	in, err := f.svc.StaffSignIn(f.ctx, username, password, "192.0.2.1")
	if err != nil || in.Session.Stage != library.StageCode {
		f.t.Fatalf("sign-in of %s: %v, stage %q, want a code asked for", username, err, in.Session.Stage)
	}
	_, err = f.svc.StaffSignInCode(f.ctx, in.Token, code, "192.0.2.1")
	return err
}

// secretForms are the forms of a base32 two-factor secret someone with
// the database could use: as typed, in lower case, its bytes, and those
// in hex and base64.
func secretForms(t *testing.T, secret string) []string {
	t.Helper()
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return []string{secret, strings.ToLower(secret), string(raw), hex.EncodeToString(raw),
		base64.StdEncoding.EncodeToString(raw), base64.RawURLEncoding.EncodeToString(raw)}
}

// TestTOTPSecretSealedAtRest proves, on each kind of database, that a
// two-factor secret set up is stored sealed, in none of the forms of the
// secret, and still signs in with its codes; and that a sealed secret
// moved to another staff account's row opens for no one there: its codes
// are refused, counted as wrong codes, and the audit log says why.
func TestTOTPSecretSealedAtRest(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.admin()
		f.desk()
		secret := f.enrol("ada", adminPassword)
		stored := f.stored("ada").TOTPSecret
		if !library.Sealed(stored) || !strings.HasPrefix(stored, "v1:"+f.key.ID()+":") {
			t.Errorf("stored secret %q is not sealed with the library's key %s", stored, f.key.ID())
		}
		for _, form := range secretForms(t, secret) {
			if strings.Contains(stored, form) {
				t.Errorf("the stored secret %q holds the secret as %q", stored, form)
			}
		}
		if err := f.signInWithCode("ada", adminPassword, f.code(secret)); err != nil {
			t.Errorf("the right code after set-up: %v", err)
		}
		f.auditFree(secret)

		// Someone with write access to the table moves ada's sealed secret
		// to dee's row, to sign in as dee with ada's phone.
		f.update(func(tx library.Tx) error {
			dee, err := tx.StaffByUsername("dee")
			if err != nil {
				return err
			}
			dee.TOTPSecret = stored
			return tx.UpdateStaff(dee)
		})
		f.now = f.now.Add(30 * time.Second)
		if err := f.signInWithCode("dee", deskPassword, f.code(secret)); !errors.Is(err, library.ErrCodeWrong) {
			t.Errorf("dee with ada's moved secret and its code: %v, want the code refused", err)
		}
		found := false
		for _, e := range f.audit() {
			found = found || e.Action == "staff.signin.code_failed" && e.Actor == "staff:dee" && strings.Contains(e.Detail, "does not open")
		}
		if !found {
			t.Error("the audit log does not say dee's stored secret does not open")
		}
	})
}

// TestTOTPSetupSealedInForm proves that beginning a set-up stores
// nothing, and that the sealed set-up the form carries is confirmed only
// by the session it was made for, unchanged, within its ten minutes; each
// refusal changes nothing.
func TestTOTPSetupSealedInForm(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.desk()
		in, err := f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		before, audits := f.stored("dee"), len(f.audit())
		setup, err := f.svc.BeginTOTP(f.ctx, in.Token)
		if err != nil {
			t.Fatal(err)
		}
		again, err := f.svc.BeginTOTP(f.ctx, in.Token)
		if err != nil || again.Secret == setup.Secret {
			t.Fatalf("a second visit: %v, same secret %v", err, again.Secret == setup.Secret)
		}
		if after := f.stored("dee"); after != before || len(f.audit()) != audits {
			t.Errorf("beginning a set-up changed the account %+v to %+v, or the audit log", before, after)
		}
		for _, form := range secretForms(t, setup.Secret) {
			if strings.Contains(setup.Sealed, form) {
				t.Errorf("the sealed set-up %q holds the secret as %q", setup.Sealed, form)
			}
		}

		// Shown again after a wrong code: the same secret, for this session.
		if _, err := f.svc.ConfirmTOTP(f.ctx, in.Token, setup.Sealed, "000000", "192.0.2.1"); !errors.Is(err, library.ErrCodeWrong) {
			t.Errorf("a wrong code: %v", err)
		}
		if shown, err := f.svc.TOTPSetupAgain(f.ctx, in.Token, setup.Sealed); err != nil || shown != setup {
			t.Errorf("TOTPSetupAgain: %+v, %v, want %+v", shown, err, setup)
		}

		// Changed in any character, or made for another session of the
		// same account: refused, even with the right code.
		other, err := f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		otherSetup, err := f.svc.BeginTOTP(f.ctx, other.Token)
		if err != nil {
			t.Fatal(err)
		}
		audits = len(f.audit()) // the second sign-in is in it
		refused := map[string]struct{ sealed, secret string }{
			"another session's set-up": {otherSetup.Sealed, otherSetup.Secret},
			"no set-up":                {"", setup.Secret},
			"the secret in clear":      {setup.Secret, setup.Secret},
		}
		for i := range len(setup.Sealed) {
			b := []byte(setup.Sealed)
			b[i] ^= 1
			refused["set-up with character "+strconv.Itoa(i)+" changed"] = struct{ sealed, secret string }{string(b), setup.Secret}
		}
		for name, r := range refused {
			if _, err := f.svc.ConfirmTOTP(f.ctx, in.Token, r.sealed, f.code(r.secret), "192.0.2.1"); !errors.Is(err, library.ErrTOTPSetupGone) {
				t.Errorf("%s: %v, want ErrTOTPSetupGone", name, err)
			}
			if _, err := f.svc.TOTPSetupAgain(f.ctx, in.Token, r.sealed); !errors.Is(err, library.ErrTOTPSetupGone) {
				t.Errorf("%s shown again: %v, want ErrTOTPSetupGone", name, err)
			}
		}

		// Ten minutes after it was made, the set-up is gone.
		f.now = f.now.Add(10*time.Minute - time.Second)
		if _, err := f.svc.TOTPSetupAgain(f.ctx, in.Token, setup.Sealed); err != nil {
			t.Errorf("a set-up of 9 min 59 s: %v", err)
		}
		f.now = f.now.Add(time.Second)
		if _, err := f.svc.ConfirmTOTP(f.ctx, in.Token, setup.Sealed, f.code(setup.Secret), "192.0.2.1"); !errors.Is(err, library.ErrTOTPSetupGone) {
			t.Errorf("a set-up of 10 minutes: %v, want ErrTOTPSetupGone", err)
		}
		if after := f.stored("dee"); after != before || len(f.audit()) != audits {
			t.Errorf("the refused set-ups changed the account %+v to %+v, or the audit log", before, after)
		}

		// A fresh one, confirmed: the account has codes, sealed.
		fresh, err := f.svc.BeginTOTP(f.ctx, in.Token)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ConfirmTOTP(f.ctx, in.Token, fresh.Sealed, f.code(fresh.Secret), "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if st := f.stored("dee"); !library.Sealed(st.TOTPSecret) {
			t.Errorf("after the set-up the stored secret is %q", st.TOTPSecret)
		}
		// The confirmed set-up's session is gone: its form cannot be sent again.
		if _, err := f.svc.ConfirmTOTP(f.ctx, in.Token, fresh.Sealed, f.code(fresh.Secret), "192.0.2.1"); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("the set-up sent again: %v, want ErrNoSession", err)
		}
	})
}

// TestBindSecretKey proves that the first start with a key binds the
// library to it; that a start with another key is refused and changes
// nothing; that secrets an earlier Carrel stored in clear are sealed in
// place, for their accounts, counted in the audit log without the
// secrets, and still sign in; and that resetting every account's codes
// forgets the key, so that a new one binds.
func TestBindSecretKey(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.admin()
		f.desk()
		f.staff("eve", library.RoleDesk)
		const adaSecret, deeSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
		if id, err := f.svc.BoundSecretKey(f.ctx); err != nil || id != "" {
			t.Fatalf("a new library is bound to key %q (%v)", id, err)
		}
		// As an earlier Carrel left them: in clear.
		f.update(func(tx library.Tx) error {
			for name, secret := range map[string]string{"ada": adaSecret, "dee": deeSecret} {
				st, err := tx.StaffByUsername(name)
				if err != nil {
					return err
				}
				st.TOTPSecret = secret
				if err := tx.UpdateStaff(st); err != nil {
					return err
				}
			}
			return nil
		})

		// Another key first: a library bound to nothing takes it, so the
		// refusal is tried on a library bound to f.key.
		n, err := f.svc.BindSecretKey(f.ctx)
		if err != nil || n != 2 {
			t.Fatalf("BindSecretKey: %d sealed, %v; want 2", n, err)
		}
		if id, _ := f.svc.BoundSecretKey(f.ctx); id != f.key.ID() {
			t.Errorf("bound to %q, want %q", id, f.key.ID())
		}
		for name, secret := range map[string]string{"ada": adaSecret, "dee": deeSecret} {
			if st := f.stored(name); !strings.HasPrefix(st.TOTPSecret, "v1:"+f.key.ID()+":") || strings.Contains(st.TOTPSecret, secret) {
				t.Errorf("%s's secret after sealing: %q", name, st.TOTPSecret)
			}
		}
		sealedAudit := f.auditHas("staff.totp.sealed", 0, library.System)
		if sealedAudit.Detail != "2 two-factor secrets sealed with the secret key" {
			t.Errorf("audit detail %q", sealedAudit.Detail)
		}
		f.auditFree(adaSecret, deeSecret)
		if err := f.signInWithCode("dee", deskPassword, f.code(deeSecret)); err != nil {
			t.Errorf("dee's code after sealing: %v", err)
		}
		if n, err := f.svc.BindSecretKey(f.ctx); err != nil || n != 0 {
			t.Errorf("a second start: %d sealed, %v", n, err)
		}

		// A start with another key file: refused, nothing changed, not even
		// a secret left in clear by some other means.
		f.update(func(tx library.Tx) error {
			st, err := tx.StaffByUsername("eve")
			if err != nil {
				return err
			}
			st.TOTPSecret = deeSecret
			return tx.UpdateStaff(st)
		})
		wrong := library.NewService(f.svc.Config(), f.svc.Store(), nil)
		wrongKey := newSecretKey(t)
		wrong.UseSecretKey(wrongKey)
		_, err = wrong.BindSecretKey(f.ctx)
		var mismatch *library.SecretKeyMismatchError
		if !errors.As(err, &mismatch) || mismatch.Bound != f.key.ID() || mismatch.Given != wrongKey.ID() {
			t.Fatalf("BindSecretKey with another key: %v", err)
		}
		if st := f.stored("eve"); st.TOTPSecret != deeSecret {
			t.Errorf("the refused start changed eve's secret to %q", st.TOTPSecret)
		}

		// The key file is lost: every account's codes go, and so does the
		// binding; then the new key binds, and seals eve's.
		if _, err := f.svc.ResetAllTOTP(f.ctx, library.Actor{Name: "staff:dee", Role: library.RoleDesk}); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("a desk account resetting every account's codes: %v", err)
		}
		n, err = f.svc.ResetAllTOTP(f.ctx, library.CommandLine)
		if err != nil || n != 3 {
			t.Fatalf("ResetAllTOTP: %d, %v; want 3", n, err)
		}
		for _, name := range []string{"ada", "dee", "eve"} {
			if st := f.stored(name); st.HasTOTP() {
				t.Errorf("%s still has codes", name)
			}
		}
		if id, _ := f.svc.BoundSecretKey(f.ctx); id != "" {
			t.Errorf("still bound to %q after every account's codes were reset", id)
		}
		if _, err := wrong.BindSecretKey(f.ctx); err != nil {
			t.Errorf("the new key after the reset: %v", err)
		}
		f.auditHas("staff.totp.reset_all", 0, library.CommandLine)
	})
}
