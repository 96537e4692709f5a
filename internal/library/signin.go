package library

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strings"
	"time"
)

// ErrSignInFailed is the one answer to a wrong barcode, a wrong PIN and a
// card holder who has not registered: none of them may be told apart.
var ErrSignInFailed = &Error{Code: EUNAUTHORIZED, Message: "barcode or PIN not right"}

// LockedError says sign-in is paused for a barcode or a client address until
// a given time. It reveals nothing about whether the barcode exists.
type LockedError struct{ Until time.Time }

// Error implements error.
func (e *LockedError) Error() string {
	return fmt.Sprintf("sign-in paused until %s", e.Until.UTC().Format(time.RFC3339))
}

// Unwrap gives the error its ELOCKED code.
func (e *LockedError) Unwrap() error { return &Error{Code: ELOCKED, Message: "sign-in paused"} }

// SignedIn is the result of a successful sign-in: a new session and its
// token, which goes to the patron and nowhere else.
type SignedIn struct {
	Token   string
	Session Session
	Patron  Patron
}

// Throttle keys: failures are counted per submitted barcode string, whether
// or not it exists, and per client address.
func barcodeKey(barcode string) string { return "barcode:" + barcode }
func addrKey(addr string) string       { return "addr:" + addr }

// SignIn checks a barcode and PIN typed by a patron at client address addr
// and, when they are right, opens a session. Every failure for whatever
// cause gives ErrSignInFailed after the same work; a throttled barcode or
// address gives *LockedError. A temporary PIN works for one sign-in only:
// the session it opens is where the patron chooses a new PIN.
func (s *Service) SignIn(ctx context.Context, barcodeInput, pin, addr string) (SignedIn, error) {
	barcode := NormalizeBarcode(barcodeInput)
	keys := s.throttleKeys(barcodeKey(barcode), addr)
	if !s.checkable(pin) {
		return SignedIn{}, s.refuseUnchecked(ctx, keys, ErrSignInFailed)
	}
	a, p, found, err := beginAttempt(ctx, s, &lineClaim{owners: clientOwners(addr)}, keys,
		func(tx Tx) (Patron, error) { return tx.PatronByBarcode(barcode) })
	if err != nil {
		return SignedIn{}, err
	}
	defer a.close()
	// Admitted and counted: from here the attempt runs to the end even if
	// the client goes away, so that the count it made is always settled.
	ctx = a.ctx
	ok, err := s.verifyPINWith(ctx, a, p, found, pin, false)
	if err != nil {
		return SignedIn{}, err
	}
	if !ok {
		by := Actor{Name: "patron", Addr: addr}
		if err := a.fail(func(tx Tx, locked []string) error {
			return s.auditPINFailure(tx, by, "signin.failed", p, found, locked)
		}); err != nil {
			return SignedIn{}, err
		}
		return SignedIn{}, ErrSignInFailed
	}
	var out SignedIn
	err = a.succeed(func(tx Tx) error {
		out = SignedIn{}
		now := s.now()
		if p.PIN.Kind == PINTemporary {
			// Used up now, checked under the write lock so that two
			// sign-ins racing with one temporary PIN cannot both succeed.
			cur, err := tx.PatronByID(p.ID)
			if err != nil {
				return err
			}
			if cur.PIN.Kind != PINTemporary || cur.PIN.Hash != p.PIN.Hash || !now.Before(cur.PIN.ExpiresAt) {
				return ErrSignInFailed
			}
			cur.PIN.ExpiresAt = now
			if err := tx.SetPIN(p.ID, cur.PIN); err != nil {
				return err
			}
			p.PIN = cur.PIN
		}
		if err := tx.Unlock(barcodeKey(barcode)); err != nil {
			return err
		}
		var err error
		out, err = s.openSession(ctx, tx, p)
		if err != nil {
			return err
		}
		return s.auditBy(tx, Actor{Name: "patron", Addr: addr}, p.ID, "signin", "")
	})
	return out, err
}

// throttleKey is a key that failed sign-ins are counted against, with its limit.
type throttleKey struct {
	key string
	max int
}

// throttleKeys returns the keys an attempt on primary (a barcode or staff
// key) from client address addr counts against. With addr "" the primary
// key alone counts.
func (s *Service) throttleKeys(primary, addr string) []throttleKey {
	th := s.cfg.Throttle
	keys := []throttleKey{{primary, th.MaxFailures}}
	if addr != "" {
		keys = append(keys, throttleKey{addrKey(addr), th.AddrMaxFailures})
	}
	return keys
}

// clientOwners are the owners of a place in the hashing line taken for a
// client at addr: the address, when there is one.
func clientOwners(addr string) []string {
	if addr == "" {
		return nil
	}
	return []string{addrOwner(addr)}
}

// pause locks a throttle key until the given instant and forgets its
// failures: they have had their effect, and when a pause shorter than the
// window ends they must not begin another at the next attempt.
func pause(tx Tx, key string, until time.Time) error {
	if err := tx.Unlock(key); err != nil {
		return err
	}
	return tx.Lock(key, until)
}

// auditPINFailure records a wrong PIN (action, for a registered patron; an
// unknown barcode may be a PIN typed in the wrong field, so it is never
// recorded) and the pauses it began.
func (s *Service) auditPINFailure(tx Tx, by Actor, action string, p Patron, found bool, locked []string) error {
	known := found && p.Registered()
	if known {
		if err := s.auditBy(tx, by, p.ID, action, ""); err != nil {
			return err
		}
	}
	return s.auditLockouts(tx, by, locked, known, p.ID)
}

// auditLockouts records the lockouts a failure began: of the account
// (when it is known, with its patron), of the client address, and of a
// kiosk login's PIN checks (never with a patron: the pause is the
// kiosk's).
func (s *Service) auditLockouts(tx Tx, by Actor, locked []string, known bool, patronID int64) error {
	until := s.now().Add(s.cfg.Throttle.Lockout.D()).UTC().Format(time.RFC3339)
	for _, key := range locked {
		var err error
		switch {
		case strings.HasPrefix(key, "addr:"):
			err = s.auditBy(tx, by, 0, "signin.lockout.addr", "client address paused until "+until)
		case strings.HasPrefix(key, "sip2pin:"):
			err = s.auditBy(tx, by, 0, "pin.verify.lockout.kiosk", "kiosk PIN checks paused until "+until)
		case known:
			err = s.auditBy(tx, by, patronID, "signin.lockout", "paused until "+until)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// verifyPINWith reports whether pin is the patron's PIN, hashing on h (an
// attempt's place in the hashing line). It does one argon2id verification
// whatever the case, so the time taken says nothing about whether the
// barcode exists or which kind of PIN it has. With usedTemporary set, a
// temporary PIN still counts after it was used up by signing in (but not
// after it expired): the session it opened needs it as the old PIN to
// choose a new one.
func (s *Service) verifyPINWith(ctx context.Context, h secretChecker, p Patron, found bool, pin string, usedTemporary bool) (bool, error) {
	if pin == "" || pinTooLong(pin, s.cfg.PIN.MaxLength) {
		// Refused before any hashing, never truncated.
		return false, nil
	}
	temporaryOver := p.PIN.Kind == PINTemporary && !s.now().Before(p.PIN.ExpiresAt)
	if temporaryOver && usedTemporary && !p.PIN.SetAt.IsZero() &&
		s.now().Before(p.PIN.SetAt.Add(s.cfg.TemporaryPINValid.D())) {
		temporaryOver = false
	}
	usable := found && p.Registered() && p.PIN.Kind != PINNone && !temporaryOver
	if !usable {
		return false, h.VerifyDummy(ctx, pin)
	}
	if p.PIN.Kind == PINPreset && p.PIN.Hash == "" {
		// The barcode rule: the preset is the barcode itself, nothing stored.
		if err := h.VerifyDummy(ctx, pin); err != nil {
			return false, err
		}
		return subtle.ConstantTimeCompare([]byte(NormalizeBarcode(pin)), []byte(p.Barcode)) == 1, nil
	}
	if p.PIN.Kind == PINPreset || p.PIN.Kind == PINTemporary {
		// An HKID preset and a PIN staff gave out are stored as the hash of
		// their upper-case form: they are typed from a slip or a card.
		pin = strings.ToUpper(pin)
	}
	return h.Verify(ctx, p.PIN.Hash, pin)
}
