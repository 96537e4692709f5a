package library

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Role is what a staff account may do at the desk.
type Role string

// The staff roles.
const (
	// RoleAdmin may do everything, including overriding a refusal to lend,
	// waiving fines and managing staff accounts.
	RoleAdmin Role = "admin"
	// RoleDesk does the daily work of the desk: patrons, circulation,
	// payments, holds and items.
	RoleDesk Role = "desk"
)

// ParseRole reads "admin" or "desk".
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleAdmin, RoleDesk:
		return r, nil
	}
	return "", Errorf(EINVALID, "role %q: want admin or desk", s)
}

// Staff is a member of the library's staff who signs in to the staff desk.
// Its password is kept only as an argon2id hash; the hash and the
// two-factor secrets never leave the Service's methods for the desk.
type Staff struct {
	ID       int64
	Username string
	Name     string
	Role     Role
	// PasswordHash is the argon2id PHC string of the password.
	PasswordHash  string
	PasswordSetAt time.Time
	// TOTPSecret is the secret of the account's two-factor codes (RFC
	// 6238) as stored: sealed with the library's secret key for this
	// account alone (SecretKey.SealTOTP); empty when it has none.
	TOTPSecret string
	// TOTPLastStep is the time step of the last code accepted: a code is
	// never accepted twice.
	TOTPLastStep int64
	// DisabledAt is when the account was disabled; zero while it may sign in.
	DisabledAt time.Time
	CreatedAt  time.Time
}

// Disabled reports whether the account may no longer sign in.
func (st Staff) Disabled() bool { return !st.DisabledAt.IsZero() }

// HasTOTP reports whether the account signs in with a two-factor code.
func (st Staff) HasTOTP() bool { return st.TOTPSecret != "" }

// AuditName is how the account appears as the actor in the audit log.
func (st Staff) AuditName() string { return "staff:" + st.Username }

// Actor returns the account as the actor of a request from client address addr.
func (st Staff) Actor(addr string) Actor {
	return Actor{Name: st.AuditName(), StaffID: st.ID, Role: st.Role, Addr: addr}
}

// public returns st without its secrets, as the desk may see it.
func (st Staff) public() Staff {
	st.PasswordHash, st.TOTPSecret = "", ""
	return st
}

// Actor is who asks for an action: its name in the audit log, the role the
// desk's rules judge, and the client address the request came from.
type Actor struct {
	// Name is the actor in the audit log: "staff:USERNAME", "cli",
	// "system", "patron", "sip2:LOGIN".
	Name string
	// StaffID is the staff account's ID; 0 for any other actor.
	StaffID int64
	// Role is the staff role; empty for an actor that is not staff.
	Role Role
	// Addr is the client address; "" when the request came from no network.
	Addr string
}

// CommandLine is the actor of the carrel command run by the library's
// operator, who holds the database itself and so has an admin's powers.
var CommandLine = Actor{Name: "cli", Role: RoleAdmin}

// System is the actor of Carrel's own periodic jobs.
var System = Actor{Name: "system"}

// byName is the actor of the older entrances that name their actor only.
func byName(name string) Actor { return Actor{Name: name} }

// ErrForbidden refuses an action the caller's role does not allow.
var ErrForbidden = &Error{Code: EFORBIDDEN, Message: "not allowed for this account"}

// staffOnly returns ErrForbidden unless the actor is staff (admin or desk).
func (a Actor) staffOnly() error {
	if a.Role != RoleAdmin && a.Role != RoleDesk {
		return ErrForbidden
	}
	return nil
}

// adminOnly returns ErrForbidden unless the actor is an admin.
func (a Actor) adminOnly() error {
	if a.Role != RoleAdmin {
		return ErrForbidden
	}
	return nil
}

// usernamePattern: lower-case letters, digits and . _ -, starting with a
// letter; usernames are typed at sign-in and shown in the audit log.
var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,63}$`)

// NormalizeUsername returns a username as stored: trimmed and lower-cased.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// checkStaffPassword applies the PIN policy, with the staff minimum length,
// to a staff password. The username and the name may not be in it.
func (s *Service) checkStaffPassword(password, username, name string) error {
	p := s.cfg.PIN
	p.MinLength = s.cfg.Staff.PasswordMinLength
	return p.Check(password, username, "", name)
}

// NewStaff is what AddStaff needs to create an account.
type NewStaff struct {
	Username string
	Name     string
	Role     Role
}

// AddStaff creates a staff account with the given password (checked by the
// PIN policy with the staff minimum length; a *PolicyError says why not).
// Only an admin may add one. A username that exists gives ECONFLICT.
func (s *Service) AddStaff(ctx context.Context, by Actor, ns NewStaff, password string) (Staff, error) {
	if err := by.adminOnly(); err != nil {
		return Staff{}, err
	}
	st := Staff{Username: NormalizeUsername(ns.Username), Name: strings.TrimSpace(ns.Name), Role: ns.Role}
	if !usernamePattern.MatchString(st.Username) {
		return Staff{}, Errorf(EINVALID, "a username is 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter")
	}
	if _, err := ParseRole(string(st.Role)); err != nil {
		return Staff{}, err
	}
	if err := s.checkStaffPassword(password, st.Username, st.Name); err != nil {
		return Staff{}, err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return Staff{}, err
	}
	now := s.now()
	st.PasswordHash, st.PasswordSetAt, st.CreatedAt = hash, now, now
	err = s.store.Update(ctx, func(tx Tx) error {
		st.ID = 0
		if err := tx.CreateStaff(&st); err != nil {
			if IsCode(err, ECONFLICT) {
				return Errorf(ECONFLICT, "staff account %q already exists", st.Username)
			}
			return err
		}
		return s.auditBy(tx, by, 0, "staff.add", "username "+st.Username+" role "+string(st.Role))
	})
	return st.public(), err
}

// SetStaffPassword replaces a staff account's password and ends its
// sessions. An admin may set anyone's; a staff member may set only their
// own (the desk's own Change Password page).
func (s *Service) SetStaffPassword(ctx context.Context, by Actor, username, password string) error {
	username = NormalizeUsername(username)
	st, err := s.staffByUsername(ctx, username)
	if err != nil {
		return err
	}
	if by.Role != RoleAdmin && by.StaffID != st.ID {
		return ErrForbidden
	}
	if err := s.checkStaffPassword(password, st.Username, st.Name); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.StaffByID(st.ID)
		if err != nil {
			return err
		}
		cur.PasswordHash, cur.PasswordSetAt = hash, s.now()
		if err := tx.UpdateStaff(cur); err != nil {
			return err
		}
		if err := tx.DeleteStaffSessions(cur.ID); err != nil {
			return err
		}
		return s.auditBy(tx, by, 0, "staff.password", "username "+cur.Username)
	})
}

// DisableStaff stops a staff account from signing in and ends its
// sessions; EnableStaff lets it sign in again. Admin only; an admin cannot
// disable their own account (so that one admin always remains).
func (s *Service) DisableStaff(ctx context.Context, by Actor, username string) error {
	return s.setStaffDisabled(ctx, by, username, true)
}

// EnableStaff lets a disabled staff account sign in again. Admin only.
func (s *Service) EnableStaff(ctx context.Context, by Actor, username string) error {
	return s.setStaffDisabled(ctx, by, username, false)
}

func (s *Service) setStaffDisabled(ctx context.Context, by Actor, username string, disable bool) error {
	if err := by.adminOnly(); err != nil {
		return err
	}
	username = NormalizeUsername(username)
	return s.store.Update(ctx, func(tx Tx) error {
		st, err := tx.StaffByUsername(username)
		if err != nil {
			return err
		}
		if disable && st.ID == by.StaffID {
			return Errorf(ECONFLICT, "an admin cannot disable their own account")
		}
		if st.Disabled() == disable {
			return nil // already so: nothing to do, nothing to log
		}
		action := "staff.enable"
		st.DisabledAt = time.Time{}
		if disable {
			action, st.DisabledAt = "staff.disable", s.now()
		}
		if err := tx.UpdateStaff(st); err != nil {
			return err
		}
		if err := tx.DeleteStaffSessions(st.ID); err != nil {
			return err
		}
		return s.auditBy(tx, by, 0, action, "username "+st.Username)
	})
}

// SetStaffRole changes a staff account's role and ends its sessions, so the
// new role applies from its next sign-in. Admin only; an admin cannot
// change their own role.
func (s *Service) SetStaffRole(ctx context.Context, by Actor, username string, role Role) error {
	if err := by.adminOnly(); err != nil {
		return err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	username = NormalizeUsername(username)
	return s.store.Update(ctx, func(tx Tx) error {
		st, err := tx.StaffByUsername(username)
		if err != nil {
			return err
		}
		if st.ID == by.StaffID {
			return Errorf(ECONFLICT, "an admin cannot change their own role")
		}
		if st.Role == role {
			return nil
		}
		st.Role = role
		if err := tx.UpdateStaff(st); err != nil {
			return err
		}
		if err := tx.DeleteStaffSessions(st.ID); err != nil {
			return err
		}
		return s.auditBy(tx, by, 0, "staff.role", "username "+st.Username+" role "+string(role))
	})
}

// ListStaff returns every staff account, by username, without secrets.
// Admin only.
func (s *Service) ListStaff(ctx context.Context, by Actor) ([]Staff, error) {
	if err := by.adminOnly(); err != nil {
		return nil, err
	}
	var list []Staff
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		list, err = tx.ListStaff()
		return err
	})
	for i := range list {
		list[i] = list[i].public()
	}
	return list, err
}

// staffByUsername loads a staff account, secrets and all, for the Service's own use.
func (s *Service) staffByUsername(ctx context.Context, username string) (Staff, error) {
	var st Staff
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		st, err = tx.StaffByUsername(username)
		return err
	})
	return st, err
}
