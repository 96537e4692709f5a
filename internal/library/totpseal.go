package library

import (
	"context"
	"fmt"
)

// keyCheckName is the name of the secret key's check in the store.
const keyCheckName = "secret_key"

// UseSecretKey gives the Service the key that seals the staff's two-factor
// secrets. `carrel serve` gives it the key of its --secret-key-file, then
// calls BindSecretKey before serving anyone.
func (s *Service) UseSecretKey(k *SecretKey) { s.key = k }

// BoundSecretKey returns the ID of the secret key the library's
// two-factor secrets are sealed with, or "" when none is yet (a new
// library, or one from before Carrel sealed them): only then may a new
// key be made.
func (s *Service) BoundSecretKey(ctx context.Context) (string, error) {
	var id string
	err := s.store.View(ctx, func(tx Tx) error {
		check, err := tx.KeyCheck(keyCheckName)
		if IsCode(err, ENOTFOUND) {
			return nil
		}
		id = sealedKeyID(check)
		return err
	})
	return id, err
}

// BindSecretKey makes sure the Service's secret key is the library's, in
// one transaction, before anyone signs in. The first time, it seals a
// key check into the database; afterwards the check must open with the
// key, or a *SecretKeyMismatchError says the key is another one, before
// any staff member finds their codes refused. Any two-factor secret still
// in clear (from before Carrel sealed them) is sealed in place, for its
// account alone, and the audit log records how many, and nothing else.
func (s *Service) BindSecretKey(ctx context.Context) (sealed int, err error) {
	if s.key == nil {
		return 0, errNoSecretKey
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		sealed = 0
		check, err := tx.KeyCheck(keyCheckName)
		switch {
		case IsCode(err, ENOTFOUND):
			if err := tx.SetKeyCheck(keyCheckName, s.key.seal(keyCheckAD, []byte(keyCheckText))); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if plain, err := s.key.open(keyCheckAD, check); err != nil || string(plain) != keyCheckText {
				return &SecretKeyMismatchError{Bound: sealedKeyID(check), Given: s.key.ID()}
			}
		}
		staff, err := tx.ListStaff()
		if err != nil {
			return err
		}
		for _, st := range staff {
			if st.TOTPSecret == "" || Sealed(st.TOTPSecret) {
				continue
			}
			st.TOTPSecret = s.key.SealTOTP(st.ID, st.TOTPSecret)
			if err := tx.UpdateStaff(st); err != nil {
				return err
			}
			sealed++
		}
		if sealed == 0 {
			return nil
		}
		return s.audit(tx, System.Name, 0, "staff.totp.sealed", fmt.Sprintf("%d two-factor secrets sealed with the secret key", sealed))
	})
	return sealed, err
}

// ResetAllTOTP removes every staff account's two-factor codes and ends
// their sessions, and forgets which secret key the library was sealed
// with, so that the next start seals with the key it is given: the way
// back when the key file is lost. Staff then sign in with their
// passwords, and set codes up again (admins must, where the library
// requires it). Admin only; it returns how many accounts had codes.
func (s *Service) ResetAllTOTP(ctx context.Context, by Actor) (int, error) {
	if err := by.adminOnly(); err != nil {
		return 0, err
	}
	n := 0
	err := s.store.Update(ctx, func(tx Tx) error {
		n = 0
		staff, err := tx.ListStaff()
		if err != nil {
			return err
		}
		for _, st := range staff {
			if st.TOTPSecret == "" {
				continue
			}
			st.TOTPSecret = ""
			if err := tx.UpdateStaff(st); err != nil {
				return err
			}
			if err := tx.DeleteStaffSessions(st.ID); err != nil {
				return err
			}
			n++
		}
		if err := tx.DeleteKeyCheck(keyCheckName); err != nil {
			return err
		}
		return s.auditBy(tx, by, 0, "staff.totp.reset_all", fmt.Sprintf("%d accounts; the secret key forgotten", n))
	})
	return n, err
}
