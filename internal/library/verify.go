package library

import "context"

// PINVerdict is the outcome of checking a PIN sent by a machine (a SIP2
// patron password) rather than typed into My Account.
type PINVerdict int

// The verdicts of VerifyPIN.
const (
	// PINWrong: the barcode is unknown, the PIN is wrong, or the patron has
	// no usable PIN (card holder, expired temporary PIN). They are not told
	// apart.
	PINWrong PINVerdict = iota
	// PINRight: the PIN is the one the patron chose.
	PINRight
	// PINNotChosen: the PIN is right but is the preset or a temporary PIN.
	// Anyone holding the card can derive a preset, so a machine must not
	// accept it: the patron sets a PIN of their own in My Account first.
	PINNotChosen
)

// VerifyPIN checks a patron barcode and PIN sent by a machine on behalf of
// a patron (a SIP2 kiosk, gate or proxy), without opening a session. Its
// failures count in the same per-barcode throttle as web sign-in, and cost
// the same argon2id work whether or not the barcode exists; a throttled
// barcode gives *LockedError. The machine's own address is not counted: it
// relays many patrons, and its SIP2 login is what guards it. actor names
// the machine in the audit log.
func (s *Service) VerifyPIN(ctx context.Context, barcodeInput, pin, actor string) (PINVerdict, error) {
	barcode := NormalizeBarcode(barcodeInput)
	// The place in the hashing line comes first: a check turned away as
	// busy counts nothing against the barcode.
	checker, release, err := s.holdForCheck(ctx, pin)
	if err != nil {
		return PINWrong, err
	}
	defer release()
	// Admitted: from here the attempt runs to the end even if the client
	// goes away, so that the count it makes is always settled, never left
	// behind as a failure nobody made (not even by a count committed just
	// as the request ended). The work is bounded: the place was admitted.
	ctx = context.WithoutCancel(ctx)
	p, found, pending, err := s.reserveAttempt(ctx, barcode, "")
	if err != nil {
		return PINWrong, err
	}
	ok, err := s.verifyPINWith(ctx, checker, p, found, pin, false)
	release()
	if err != nil {
		return PINWrong, err
	}
	if !ok {
		return PINWrong, s.settleFailure(ctx, barcode, "", p, found)
	}
	verdict := PINRight
	if p.PIN.MustChange() {
		// The right preset is not a failure: counting it would lock the
		// patron out of My Account, where the PIN must be changed.
		verdict = PINNotChosen
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		for _, id := range pending {
			if err := tx.DeleteFailure(id); err != nil {
				return err
			}
		}
		if err := tx.Unlock(barcodeKey(barcode)); err != nil {
			return err
		}
		action := "pin.verify"
		if verdict == PINNotChosen {
			action = "pin.verify.refused_preset"
		}
		return s.audit(tx, actor, p.ID, action, "")
	})
	if err != nil {
		return PINWrong, err
	}
	return verdict, nil
}
