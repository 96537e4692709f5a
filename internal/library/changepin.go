package library

import (
	"context"
	"strings"
	"time"
)

// Problems a PIN change can have beyond the PIN policy's own.
const (
	PINWrongOld  PINProblem = "wrong_old"   // the old PIN is not right
	PINMismatch  PINProblem = "mismatch"    // new PIN and confirmation differ
	PINSameAsOld PINProblem = "same_as_old" // the new PIN is the old one
	PINMissing   PINProblem = "missing"     // a field was left empty
)

// SignedOutError says that a wrong old PIN on Change Password reached
// the allowance of failures: the session it came from has ended, and the
// barcode (or the client address) is paused until Until. It is also a
// *LockedError.
type SignedOutError struct{ Until time.Time }

// Error implements error.
func (e *SignedOutError) Error() string {
	return "signed out: too many wrong PINs; " + (&LockedError{Until: e.Until}).Error()
}

// Unwrap makes it a *LockedError too.
func (e *SignedOutError) Unwrap() error { return &LockedError{Until: e.Until} }

// ChangePIN replaces the signed-in patron's PIN (R6), asked from client
// address addr. oldPIN must be the current PIN (a preset or temporary one
// included), newPIN and confirm must match and pass the PIN policy. Each
// problem gives a *PolicyError naming it. On success every other session
// of the patron ends.
//
// The old PIN is checked like a sign-in (attempt.go): counted per barcode
// and per client address before it is checked, on a place in the hashing
// line held for the address and for the session. A wrong old PIN that
// reaches the allowance ends the session and gives *SignedOutError: a
// session is no way around the limit on guessing a PIN, which also opens
// SIP2 kiosks and e-resources. While the barcode or address is paused, no
// old PIN is checked (*LockedError) and the session goes on. An old PIN
// that can never be right (over pin.max_length) is refused as wrong
// without counting.
//
// The one exception is the forced change of the barcode preset in the
// session that signed in with it (Session.SkipsOldPIN): there oldPIN is
// not asked for, and is ignored (changepin_preset.go).
func (s *Service) ChangePIN(ctx context.Context, sess Session, oldPIN, newPIN, confirm, addr string) error {
	if newPIN == "" || confirm == "" {
		return &PolicyError{Problem: PINMissing}
	}
	var p Patron
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = tx.PatronByID(sess.PatronID)
		return err
	}); err != nil {
		return err
	}
	if sess.SkipsOldPIN(p) {
		return s.changePresetPIN(ctx, sess, p, newPIN, confirm, addr)
	}
	if oldPIN == "" {
		return &PolicyError{Problem: PINMissing}
	}
	if newPIN != confirm {
		return &PolicyError{Problem: PINMismatch}
	}
	preset := ""
	if p.PIN.Kind == PINPreset {
		preset = strings.ToUpper(NormalizePIN(oldPIN))
		if p.PIN.Hash == "" {
			preset = p.Barcode
		}
	}
	if err := s.cfg.PIN.Check(newPIN, p.Barcode, preset, p.Name); err != nil {
		return err
	}
	keys := s.throttleKeys(barcodeKey(p.Barcode), addr)
	if !s.checkable(oldPIN) {
		return s.refuseUnchecked(ctx, keys, &PolicyError{Problem: PINWrongOld})
	}
	line := &lineClaim{owners: append(clientOwners(addr), sessionOwner(sess.ID))}
	a, cur, _, err := beginAttempt(ctx, s, line, keys, func(tx Tx) (Patron, error) { return tx.PatronByID(p.ID) })
	if err != nil {
		return err
	}
	defer a.close()
	ctx = a.ctx
	// A temporary PIN was used up by the sign-in that opened this session:
	// it is still the old PIN here, where the patron replaces it.
	ok, err := s.verifyPINWith(ctx, a, cur, true, oldPIN, true)
	if err != nil {
		return err
	}
	if !ok {
		return s.wrongOldPIN(a, sess, cur, addr)
	}
	if NormalizePIN(newPIN) == NormalizePIN(oldPIN) {
		// The right old PIN: nothing is counted.
		if err := a.succeed(func(Tx) error { return nil }); err != nil {
			return err
		}
		return &PolicyError{Problem: PINSameAsOld}
	}
	hash, err := s.hasher.Hash(ctx, newPIN)
	if err != nil {
		return err
	}
	return a.succeed(func(tx Tx) error {
		if err := tx.Unlock(barcodeKey(cur.Barcode)); err != nil {
			return err
		}
		// Storing the chosen PIN's hash replaces any HKID preset hash: from
		// now on nothing derived from the HKID number is kept.
		if err := tx.SetPIN(cur.ID, PINRecord{Kind: PINChosen, Hash: hash, SetAt: s.now()}); err != nil {
			return err
		}
		if err := tx.DeletePatronSessions(cur.ID, sess.ID); err != nil {
			return err
		}
		return s.audit(tx, "patron", cur.ID, "pin.change", "")
	})
}

// wrongOldPIN settles a wrong old PIN as a failed sign-in, and ends the
// session when the failure began a pause.
func (s *Service) wrongOldPIN(a *attempt, sess Session, p Patron, addr string) error {
	by := Actor{Name: "patron", Addr: addr}
	signedOut := false
	err := a.fail(func(tx Tx, locked []string) error {
		if err := s.auditBy(tx, by, p.ID, "pin.change.failed", "wrong old PIN"); err != nil {
			return err
		}
		if err := s.auditLockouts(tx, by, locked, true, p.ID); err != nil {
			return err
		}
		signedOut = len(locked) > 0
		if !signedOut {
			return nil
		}
		if err := tx.DeleteSession(sess.ID); err != nil {
			return err
		}
		return s.auditBy(tx, by, p.ID, "signout.pin_failures", "session ended: too many wrong PINs")
	})
	if err != nil {
		return err
	}
	if signedOut {
		return &SignedOutError{Until: s.now().Add(s.cfg.Throttle.Lockout.D())}
	}
	return &PolicyError{Problem: PINWrongOld}
}
