package library

import (
	"context"
	"strings"
)

// Problems a PIN change can have beyond the PIN policy's own.
const (
	PINWrongOld  PINProblem = "wrong_old"   // the old PIN is not right
	PINMismatch  PINProblem = "mismatch"    // new PIN and confirmation differ
	PINSameAsOld PINProblem = "same_as_old" // the new PIN is the old one
	PINMissing   PINProblem = "missing"     // a field was left empty
)

// ChangePIN replaces the signed-in patron's PIN (R6). oldPIN must be the
// current PIN (a preset or temporary one included), newPIN and confirm must
// match and pass the PIN policy. Each problem gives a *PolicyError naming it.
// On success every other session of the patron ends.
func (s *Service) ChangePIN(ctx context.Context, sess Session, oldPIN, newPIN, confirm string) error {
	if oldPIN == "" || newPIN == "" || confirm == "" {
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
	// A temporary PIN was used up by the sign-in that opened this session:
	// it is still the old PIN here, where the patron replaces it.
	ok, err := s.verifyPIN(ctx, p, true, oldPIN, true)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.store.Update(ctx, func(tx Tx) error {
			return s.audit(tx, "patron", p.ID, "pin.change.failed", "wrong old PIN")
		}); err != nil {
			return err
		}
		return &PolicyError{Problem: PINWrongOld}
	}
	if NormalizePIN(newPIN) == NormalizePIN(oldPIN) {
		return &PolicyError{Problem: PINSameAsOld}
	}
	hash, err := s.hasher.Hash(ctx, newPIN)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		// Storing the chosen PIN's hash replaces any HKID preset hash: from
		// now on nothing derived from the HKID number is kept.
		if err := tx.SetPIN(p.ID, PINRecord{Kind: PINChosen, Hash: hash, SetAt: s.now()}); err != nil {
			return err
		}
		if err := tx.DeletePatronSessions(p.ID, sess.ID); err != nil {
			return err
		}
		return s.audit(tx, "patron", p.ID, "pin.change", "")
	})
}
