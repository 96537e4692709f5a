package library

import "context"

// SkipsOldPIN reports whether changing the PIN of patron p in this session
// may leave out the old PIN: the session was opened by signing in with the
// barcode preset, p is on that preset still (set no later than the
// session began), and so this is the forced change straight after signing
// in. The patron has just typed the preset, which anyone holding the card
// can work out anyway: asking for it again proves nothing. Any other change
// asks for the old PIN.
//
// A legacy HKID preset is left out: Carrel keeps only its hash, and needs
// it typed to refuse a new PIN that contains it.
func (sess Session) SkipsOldPIN(p Patron) bool {
	return sess.PresetProved && sess.PatronID == p.ID &&
		p.PIN.Kind == PINPreset && p.PIN.Hash == "" && !p.PIN.SetAt.After(sess.CreatedAt)
}

// changePresetPIN is ChangePIN for a session that SkipsOldPIN: the new PIN
// is checked against the policy (the preset being the barcode, a new PIN
// containing it is refused), hashed on a place in line held for the
// address and the session, and stored if the patron is on the same preset
// still when it is written. Nothing is counted against the throttle: no
// secret is checked.
func (s *Service) changePresetPIN(ctx context.Context, sess Session, p Patron, newPIN, confirm, addr string) error {
	if newPIN != confirm {
		return &PolicyError{Problem: PINMismatch}
	}
	if err := s.cfg.PIN.Check(newPIN, p.Barcode, p.Barcode, p.Name); err != nil {
		return err
	}
	ticket, err := s.hasher.enter(ctx, append(clientOwners(addr), sessionOwner(sess.ID))...)
	if err != nil {
		return err
	}
	defer ticket.Release()
	hash, err := ticket.Hash(ctx, newPIN)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		// The session may have ended, or the PIN changed, since the request
		// began: either way nothing proves the preset any more.
		if _, err := tx.SessionByTokenHash(sess.TokenHash); IsCode(err, ENOTFOUND) {
			return ErrNoSession
		} else if err != nil {
			return err
		}
		cur, err := tx.PatronByID(p.ID)
		if err != nil {
			return err
		}
		if !sess.SkipsOldPIN(cur) {
			return &PolicyError{Problem: PINMissing}
		}
		if err := tx.SetPIN(cur.ID, PINRecord{Kind: PINChosen, Hash: hash, SetAt: s.now()}); err != nil {
			return err
		}
		if err := tx.DeletePatronSessions(cur.ID, sess.ID); err != nil {
			return err
		}
		return s.audit(tx, "patron", cur.ID, "pin.change", "the barcode preset typed at sign-in; not asked again")
	})
}
