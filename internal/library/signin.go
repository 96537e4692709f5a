package library

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
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
// address gives *LockedError.
func (s *Service) SignIn(ctx context.Context, barcodeInput, pin, addr string) (SignedIn, error) {
	barcode := NormalizeBarcode(barcodeInput)
	p, found, pending, err := s.reserveAttempt(ctx, barcode, addr)
	if err != nil {
		return SignedIn{}, err
	}
	ok, err := s.checkPIN(ctx, p, found, pin)
	if err != nil {
		return SignedIn{}, err
	}
	if !ok {
		if err := s.settleFailure(ctx, barcode, addr, p, found); err != nil {
			return SignedIn{}, err
		}
		return SignedIn{}, ErrSignInFailed
	}
	var out SignedIn
	err = s.store.Update(ctx, func(tx Tx) error {
		for _, id := range pending {
			if err := tx.DeleteFailure(id); err != nil {
				return err
			}
		}
		if err := tx.Unlock(barcodeKey(barcode)); err != nil {
			return err
		}
		var err error
		out, err = s.openSession(tx, p)
		if err != nil {
			return err
		}
		return s.audit(tx, "patron", p.ID, "signin", "")
	})
	return out, err
}

// reserveAttempt checks the locks on the barcode and the address, counts
// the attempt as a failure before any PIN is checked (so parallel attempts
// can never get more tries than allowed), and loads the patron.
func (s *Service) reserveAttempt(ctx context.Context, barcode, addr string) (p Patron, found bool, pending []int64, err error) {
	now := s.now()
	th := s.cfg.Throttle
	keys := []struct {
		key string
		max int
	}{{barcodeKey(barcode), th.MaxFailures}, {addrKey(addr), th.AddrMaxFailures}}
	var locked time.Time
	err = s.store.Update(ctx, func(tx Tx) error {
		// The store may run this function more than once: start afresh.
		pending, locked, p, found = pending[:0], time.Time{}, Patron{}, false
		for _, k := range keys {
			until, err := tx.LockedUntil(k.key, now)
			if err != nil {
				return err
			}
			if until.After(locked) {
				locked = until
			}
		}
		if !locked.IsZero() {
			return nil
		}
		for _, k := range keys {
			n, err := tx.CountFailures(k.key, now.Add(-th.Window.D()))
			if err != nil {
				return err
			}
			if n >= k.max {
				locked = now.Add(th.Lockout.D())
				if err := tx.Lock(k.key, locked); err != nil {
					return err
				}
			}
		}
		if !locked.IsZero() {
			return nil
		}
		for _, k := range keys {
			id, err := tx.AddFailure(k.key, now)
			if err != nil {
				return err
			}
			pending = append(pending, id)
		}
		p, err = tx.PatronByBarcode(barcode)
		switch {
		case err == nil:
			found = true
		case IsCode(err, ENOTFOUND):
			err = nil
		}
		return err
	})
	if err == nil && !locked.IsZero() {
		err = &LockedError{Until: locked}
	}
	return p, found, pending, err
}

// settleFailure locks a key whose failures have now reached the limit, so the
// lockout starts at the failure that reached it.
func (s *Service) settleFailure(ctx context.Context, barcode, addr string, p Patron, found bool) error {
	now := s.now()
	th := s.cfg.Throttle
	return s.store.Update(ctx, func(tx Tx) error {
		for key, limit := range map[string]int{barcodeKey(barcode): th.MaxFailures, addrKey(addr): th.AddrMaxFailures} {
			n, err := tx.CountFailures(key, now.Add(-th.Window.D()))
			if err != nil {
				return err
			}
			if n >= limit {
				if err := tx.Lock(key, now.Add(th.Lockout.D())); err != nil {
					return err
				}
			}
		}
		if found && p.Registered() {
			return s.audit(tx, "patron", p.ID, "signin.failed", "")
		}
		return nil
	})
}

// checkPIN reports whether pin is the patron's PIN. It does one argon2id
// verification whatever the case, so the time taken says nothing about
// whether the barcode exists or which kind of PIN it has.
func (s *Service) checkPIN(ctx context.Context, p Patron, found bool, pin string) (bool, error) {
	if pin == "" || utf8.RuneCountInString(pin) > s.cfg.PIN.MaxLength {
		// Refused before any hashing, never truncated.
		return false, nil
	}
	usable := found && p.Registered() && p.PIN.Kind != PINNone &&
		!(p.PIN.Kind == PINTemporary && !s.now().Before(p.PIN.ExpiresAt))
	if !usable {
		return false, s.hasher.VerifyDummy(ctx, pin)
	}
	if p.PIN.Kind == PINPreset && p.PIN.Hash == "" {
		// The barcode rule: the preset is the barcode itself, nothing stored.
		if err := s.hasher.VerifyDummy(ctx, pin); err != nil {
			return false, err
		}
		return subtle.ConstantTimeCompare([]byte(NormalizeBarcode(pin)), []byte(p.Barcode)) == 1, nil
	}
	if p.PIN.Kind == PINPreset {
		// An HKID preset is stored as the hash of its upper-case form.
		pin = strings.ToUpper(pin)
	}
	return s.hasher.Verify(ctx, p.PIN.Hash, pin)
}
