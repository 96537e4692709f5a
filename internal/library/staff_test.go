package library_test

import (
	"errors"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/pquerna/otp/totp"
)

func TestAddStaffRules(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		add := func(by library.Actor, username string, role library.Role, pw string) error {
			_, err := f.svc.AddStaff(f.ctx, by, library.NewStaff{Username: username, Name: "Lee Mei Ling", Role: role}, pw)
			return err
		}
		if err := add(desk, "newbie", library.RoleDesk, deskPassword); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("a desk account adding staff: %v, want ErrForbidden", err)
		}
		for _, c := range []struct {
			pw   string
			want library.PINProblem
		}{
			{"eleven-char", library.PINTooShort}, // 11: under the staff minimum of 12
			{"password1234", library.PINCommon},
			{"newbie-at-the-desk", library.PINContainsBarcode}, // the username
			{"meiling-at-the-desk", library.PINContainsName},
		} {
			var pe *library.PolicyError
			if err := add(library.CommandLine, "newbie", library.RoleDesk, c.pw); !errors.As(err, &pe) || pe.Problem != c.want {
				t.Errorf("password %q: %v, want problem %q", c.pw, err, c.want)
			} else if c.want == library.PINTooShort && pe.Min != 12 {
				t.Errorf("too short: Min %d, want the staff minimum 12", pe.Min)
			}
		}
		wantCode(t, "bad username", add(library.CommandLine, "New Bie", library.RoleDesk, deskPassword), library.EINVALID)
		wantCode(t, "bad role", add(library.CommandLine, "newbie", "root", deskPassword), library.EINVALID)
		if err := add(library.CommandLine, "Newbie", library.RoleDesk, "twelve-chars"); err != nil {
			t.Fatalf("a 12-character password: %v", err)
		}
		wantCode(t, "the same username again", add(library.CommandLine, "newbie", library.RoleAdmin, adminPassword), library.ECONFLICT)
		list, err := f.svc.ListStaff(f.ctx, library.CommandLine)
		if err != nil || len(list) != 2 || list[1].Username != "newbie" {
			t.Fatalf("ListStaff = %+v, %v", list, err)
		}
		for _, st := range list {
			if st.PasswordHash != "" || st.TOTPSecret != "" {
				t.Errorf("ListStaff shows the secrets of %s", st.Username)
			}
		}
		if _, err := f.svc.ListStaff(f.ctx, desk); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("a desk account listing staff: %v", err)
		}
	})
}

func TestStaffSignInAndSessions(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.desk()
		if _, err := f.svc.StaffSignIn(f.ctx, "dee", "wrong-password-here", "192.0.2.1"); err != library.ErrStaffSignInFailed {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := f.svc.StaffSignIn(f.ctx, "nobody", deskPassword, "192.0.2.1"); err != library.ErrStaffSignInFailed {
			t.Errorf("unknown username: %v", err)
		}
		in, err := f.svc.StaffSignIn(f.ctx, " DEE ", deskPassword, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if in.Session.Stage != library.StageActive || in.Staff.Role != library.RoleDesk || in.Staff.PasswordHash != "" {
			t.Errorf("signed in: stage %q role %q hash shown %v", in.Session.Stage, in.Staff.Role, in.Staff.PasswordHash != "")
		}
		_, st, err := f.svc.AuthenticateStaff(f.ctx, in.Token)
		if err != nil || st.Username != "dee" {
			t.Fatalf("AuthenticateStaff: %+v, %v", st, err)
		}
		f.auditHas("staff.signin", 0, library.Actor{Name: "staff:dee", Addr: "192.0.2.1"})
		f.auditHas("staff.signin.failed", 0, library.Actor{Name: "staff:dee", Addr: "192.0.2.1"})
		f.auditFree("nobody", deskPassword, "wrong-password-here")

		// Patron and staff sessions are apart: neither token opens the other.
		f.patron("21034567", nil)
		pin, err := f.svc.SignIn(f.ctx, "21034567", "21034567", "192.0.2.2")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, pin.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("a patron's session token as a staff one: %v", err)
		}
		if _, _, err := f.svc.Authenticate(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("a staff session token as a patron's: %v", err)
		}

		// Idle timeout 60 minutes, absolute 12 hours.
		f.now = f.now.Add(59 * time.Minute)
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, in.Token); err != nil {
			t.Fatalf("after 59 idle minutes: %v", err)
		}
		f.now = f.now.Add(60 * time.Minute)
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("after 60 idle minutes: %v", err)
		}
		in, _ = f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.1")
		start := f.now
		for f.now.Sub(start) < 12*time.Hour-50*time.Minute {
			f.now = f.now.Add(50 * time.Minute)
			if _, _, err := f.svc.AuthenticateStaff(f.ctx, in.Token); err != nil {
				t.Fatalf("active session after %v: %v", f.now.Sub(start), err)
			}
		}
		f.now = start.Add(12 * time.Hour)
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("after 12 hours: %v", err)
		}

		// Disabling ends the sessions and the sign-ins; enabling restores them.
		in, _ = f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.1")
		if err := f.svc.DisableStaff(f.ctx, library.CommandLine, "dee"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("session of a disabled account: %v", err)
		}
		if _, err := f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.1"); err != library.ErrStaffSignInFailed {
			t.Errorf("sign-in of a disabled account: %v", err)
		}
		if err := f.svc.EnableStaff(f.ctx, library.CommandLine, "dee"); err != nil {
			t.Fatal(err)
		}
		in, err = f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.1")
		if err != nil {
			t.Fatalf("after enabling: %v", err)
		}

		// A new password ends the sessions; the old one no longer works.
		me := in.Staff.Actor("192.0.2.1")
		if err := f.svc.SetStaffPassword(f.ctx, me, "ada-not-there", "another-long-password"); library.ErrorCode(err) != library.ENOTFOUND {
			t.Errorf("setting the password of an unknown account: %v", err)
		}
		if err := f.svc.SetStaffPassword(f.ctx, me, "dee", "lantern-festival-2026"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("session after a password change: %v", err)
		}
		if _, err := f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.1"); err != library.ErrStaffSignInFailed {
			t.Errorf("the old password: %v", err)
		}
		if _, err := f.svc.StaffSignIn(f.ctx, "dee", "lantern-festival-2026", "192.0.2.1"); err != nil {
			t.Errorf("the new password: %v", err)
		}
		f.admin()
		if err := f.svc.SetStaffPassword(f.ctx, me, "ada", "lantern-festival-2027"); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("a desk account setting an admin's password: %v", err)
		}
		if err := f.svc.StaffSignOut(f.ctx, "not-a-token", ""); err != nil {
			t.Errorf("signing out an unknown session: %v", err)
		}
	})
}

// Staff sign-ins count in the same throttle as patrons': per username and
// per client address, the address shared with patron sign-ins.
func TestStaffSignInThrottle(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.desk()
		for range f.svc.Config().Throttle.MaxFailures {
			f.svc.StaffSignIn(f.ctx, "dee", "wrong-password-here", "192.0.2.1")
		}
		_, err := f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.2")
		var le *library.LockedError
		if !errors.As(err, &le) {
			t.Fatalf("right password after the failures: %v, want locked", err)
		}
		f.auditHas("signin.lockout", 0, library.Actor{Name: "staff:dee", Addr: "192.0.2.1"})
		f.now = f.now.Add(f.svc.Config().Throttle.Lockout.D() + time.Second)
		if _, err := f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.2"); err != nil {
			t.Errorf("after the lockout: %v", err)
		}

		cfg := f.svc.Config()
		cfg.Throttle.AddrMaxFailures = 4
		f.patron("21034567", nil)
		f.svc.SignIn(f.ctx, "21034567", "wrong-pin", "198.51.100.7")
		f.svc.SignIn(f.ctx, "21034568", "wrong-pin", "198.51.100.7")
		f.svc.StaffSignIn(f.ctx, "dee", "wrong-password-here", "198.51.100.7")
		f.svc.StaffSignIn(f.ctx, "someone", "wrong-password-here", "198.51.100.7")
		if _, err := f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "198.51.100.7"); library.ErrorCode(err) != library.ELOCKED {
			t.Errorf("patron and staff failures from one address: %v, want the address locked", err)
		}
		f.auditHas("signin.lockout.addr", 0, library.Actor{Name: "staff", Addr: "198.51.100.7"})
		f.auditFree("someone")
	})
}

func TestStaffTwoFactor(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.svc.Config().Staff.RequireTOTPForAdmins = true
		f.admin()
		f.desk()

		// A desk account needs no codes; an admin must set them up first.
		if in, err := f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.1"); err != nil || in.Session.Stage != library.StageActive {
			t.Errorf("desk sign-in: %v, stage %q", err, in.Session.Stage)
		}
		in, err := f.svc.StaffSignIn(f.ctx, "ada", adminPassword, "192.0.2.1")
		if err != nil || in.Session.Stage != library.StageEnrol {
			t.Fatalf("admin sign-in: %v, stage %q, want %q", err, in.Session.Stage, library.StageEnrol)
		}
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("a session awaiting two-factor set-up reaches the desk: %v", err)
		}
		if _, _, err := f.svc.PendingStaffSession(f.ctx, in.Token); err != nil {
			t.Errorf("PendingStaffSession: %v", err)
		}
		setup, err := f.svc.BeginTOTP(f.ctx, in.Token)
		if err != nil || setup.Secret == "" || setup.URL == "" {
			t.Fatalf("BeginTOTP: %+v, %v", setup, err)
		}
		if _, err := f.svc.ConfirmTOTP(f.ctx, in.Token, setup.Sealed, "000000", "192.0.2.1"); !errors.Is(err, library.ErrCodeWrong) {
			t.Errorf("a wrong code: %v", err)
		}
		code, _ := totp.GenerateCode(setup.Secret, f.now)
		done, err := f.svc.ConfirmTOTP(f.ctx, in.Token, setup.Sealed, code, "192.0.2.1")
		if err != nil || done.Session.Stage != library.StageActive || done.Token == in.Token {
			t.Fatalf("ConfirmTOTP: %v, stage %q, new token %v", err, done.Session.Stage, done.Token != in.Token)
		}
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, done.Token); err != nil {
			t.Errorf("after set-up: %v", err)
		}
		if _, _, err := f.svc.PendingStaffSession(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("the set-up session lives on: %v", err)
		}
		f.auditHas("staff.totp.enrol", 0, library.Actor{Name: "staff:ada", Addr: "192.0.2.1"})
		f.auditFree(setup.Secret)

		// From now on the password alone is not enough.
		f.now = f.now.Add(time.Minute)
		in, err = f.svc.StaffSignIn(f.ctx, "ada", adminPassword, "192.0.2.1")
		if err != nil || in.Session.Stage != library.StageCode {
			t.Fatalf("sign-in with codes set up: %v, stage %q", err, in.Session.Stage)
		}
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("a session awaiting its code reaches the desk: %v", err)
		}
		if _, err := f.svc.StaffSignInCode(f.ctx, in.Token, "123456", "192.0.2.1"); !errors.Is(err, library.ErrCodeWrong) {
			t.Errorf("a wrong code: %v", err)
		}
		code, _ = totp.GenerateCode(setup.Secret, f.now)
		out, err := f.svc.StaffSignInCode(f.ctx, in.Token, code, "192.0.2.1")
		if err != nil || out.Session.Stage != library.StageActive {
			t.Fatalf("the right code: %v", err)
		}
		// The same code is never accepted twice.
		in, _ = f.svc.StaffSignIn(f.ctx, "ada", adminPassword, "192.0.2.1")
		if _, err := f.svc.StaffSignInCode(f.ctx, in.Token, code, "192.0.2.1"); !errors.Is(err, library.ErrCodeWrong) {
			t.Errorf("a code used again: %v", err)
		}
		f.auditHas("staff.signin.code_failed", 0, library.Actor{Name: "staff:ada", Addr: "192.0.2.1"})
		f.now = f.now.Add(30 * time.Second)
		code, _ = totp.GenerateCode(setup.Secret, f.now)
		if _, err := f.svc.StaffSignInCode(f.ctx, in.Token, code, "192.0.2.1"); err != nil {
			t.Errorf("the next code: %v", err)
		}

		// A lost phone: an admin (here the command line) removes the codes.
		if err := f.svc.ResetTOTP(f.ctx, library.Actor{Name: "staff:dee", Role: library.RoleDesk}, "ada"); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("a desk account resetting codes: %v", err)
		}
		if err := f.svc.ResetTOTP(f.ctx, library.CommandLine, "ada"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, out.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("session after the codes were reset: %v", err)
		}
		if in, err := f.svc.StaffSignIn(f.ctx, "ada", adminPassword, "192.0.2.1"); err != nil || in.Session.Stage != library.StageEnrol {
			t.Errorf("after the reset: %v, stage %q, want set-up again", err, in.Session.Stage)
		}
	})
}

func TestStaffRoles(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		admin, desk := f.admin(), f.desk()
		if err := f.svc.DisableStaff(f.ctx, desk, "ada"); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("a desk account disabling an admin: %v", err)
		}
		if err := f.svc.DisableStaff(f.ctx, admin, "ada"); library.ErrorCode(err) != library.ECONFLICT {
			t.Errorf("an admin disabling themself: %v", err)
		}
		in, _ := f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.1")
		if err := f.svc.SetStaffRole(f.ctx, admin, "dee", library.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.AuthenticateStaff(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("session after a role change: %v", err)
		}
		in, _ = f.svc.StaffSignIn(f.ctx, "dee", deskPassword, "192.0.2.1")
		if in.Staff.Role != library.RoleAdmin {
			t.Errorf("role after the change: %q", in.Staff.Role)
		}
		// Nothing at the desk is open to an actor who is not staff.
		nobody := library.Actor{Name: "patron"}
		if _, err := f.svc.FindPatrons(f.ctx, nobody, library.PatronQuery{Text: "chan"}); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("FindPatrons by a non-staff actor: %v", err)
		}
		if _, err := f.svc.DeskCheckout(f.ctx, nobody, library.CheckoutRequest{PatronBarcode: "x", ItemBarcode: "y"}); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("DeskCheckout by a non-staff actor: %v", err)
		}
		if _, err := f.svc.SearchAudit(f.ctx, nobody, library.AuditFilter{}); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("SearchAudit by a non-staff actor: %v", err)
		}
	})
}
