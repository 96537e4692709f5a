package library

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
)

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

// PINCheck is what VerifyPIN found. A machine's connection may keep a
// right one, so that a kiosk repeating the PIN in each request of a patron
// session costs one argon2id hash, not one per request; ReusePIN says
// whether it still holds.
type PINCheck struct {
	Verdict PINVerdict

	// What the verdict was about: the barcode, a hash of the PIN as sent,
	// and the patron's stored PIN at the time (its hash and when it was
	// set), so that a change or a reset of the PIN ends the check's use.
	barcode  string
	sent     [32]byte
	patronID int64
	pin      PINRecord
}

// pinSent is the hash a PINCheck keeps of the PIN sent: never the PIN.
func pinSent(pin string) [32]byte { return sha256.Sum256([]byte(pin)) }

// kioskPINKey is the throttle key of a kiosk login's PIN checks: counted
// apart from its SIP2 logins ("sip2:") and from any client address, with
// the per-address allowance, as the web counts its sign-ins per address.
func kioskPINKey(login string) string { return "sip2pin:" + login }

// VerifyPIN checks a patron barcode and PIN sent by a machine on behalf of
// a patron (a SIP2 kiosk, gate or proxy: the account kiosk, on a
// connection from client address addr), without opening a session. Its
// failures count in the same per-barcode throttle as web sign-in, and
// against the kiosk login (kioskPINKey, with throttle.addr_max_failures):
// one kiosk account trying one PIN on many barcodes is paused, as one
// client address is on the web, without pausing other kiosks. A check
// costs the same argon2id work whether or not the barcode exists; a
// paused barcode or kiosk login gives *LockedError, with no hashing. A PIN
// that can never be right (empty, or over pin.max_length) is refused
// without counting against anyone. The place in the hashing line is the
// address's (the SIP2 address, apart from the web's).
func (s *Service) VerifyPIN(ctx context.Context, kiosk SIPAccount, addr, barcodeInput, pin string) (PINCheck, error) {
	barcode := NormalizeBarcode(barcodeInput)
	keys := []throttleKey{
		{barcodeKey(barcode), s.cfg.Throttle.MaxFailures},
		{kioskPINKey(kiosk.Login), s.cfg.Throttle.AddrMaxFailures},
	}
	var owners []string
	if addr != "" {
		owners = []string{sipAddrOwner(addr)}
	}
	out := PINCheck{Verdict: PINWrong}
	if !s.checkable(pin) {
		return out, s.refuseUnchecked(ctx, keys, nil)
	}
	a, p, found, err := beginAttempt(ctx, s, &lineClaim{owners: owners}, keys,
		func(tx Tx) (Patron, error) { return tx.PatronByBarcode(barcode) })
	if err != nil {
		return out, err
	}
	defer a.close()
	ctx = a.ctx
	ok, err := s.verifyPINWith(ctx, a, p, found, pin, false)
	if err != nil {
		return out, err
	}
	by := byName(kiosk.Actor())
	if !ok {
		return out, a.fail(func(tx Tx, locked []string) error {
			return s.auditPINFailure(tx, by, "signin.failed", p, found, locked)
		})
	}
	out.Verdict = PINRight
	if p.PIN.MustChange() {
		// The right preset is not a failure: counting it would lock the
		// patron out of My Account, where the PIN must be changed.
		out.Verdict = PINNotChosen
	}
	err = a.succeed(func(tx Tx) error {
		if err := tx.Unlock(barcodeKey(barcode)); err != nil {
			return err
		}
		action := "pin.verify"
		if out.Verdict == PINNotChosen {
			action = "pin.verify.refused_preset"
		}
		return s.auditBy(tx, by, p.ID, action, "")
	})
	if err != nil {
		return PINCheck{Verdict: PINWrong}, err
	}
	out.barcode, out.sent, out.patronID, out.pin = barcode, pinSent(pin), p.ID, p.PIN
	return out, nil
}

// ReusePIN reports whether a right PINCheck kept by a machine's connection
// answers barcodeInput and pin without another argon2id hash: only for
// the same barcode and the same PIN, and only while the patron's stored
// PIN is the one it was checked against. A PIN changed on the web, or
// reset at the desk or from the command line, ends it at once. It costs
// one indexed read, and none when the barcode or PIN differ; false means
// the PIN must go through VerifyPIN.
func (s *Service) ReusePIN(ctx context.Context, kept PINCheck, barcodeInput, pin string) (bool, error) {
	sent := pinSent(pin)
	if kept.Verdict != PINRight || kept.barcode == "" || NormalizeBarcode(barcodeInput) != kept.barcode ||
		subtle.ConstantTimeCompare(sent[:], kept.sent[:]) != 1 {
		return false, nil
	}
	var p Patron
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = tx.PatronByBarcode(kept.barcode)
		return err
	})
	if IsCode(err, ENOTFOUND) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	same := p.ID == kept.patronID && p.PIN.Kind == kept.pin.Kind && p.PIN.SetAt.Equal(kept.pin.SetAt) &&
		subtle.ConstantTimeCompare([]byte(p.PIN.Hash), []byte(kept.pin.Hash)) == 1
	return same && p.Registered(), nil
}
