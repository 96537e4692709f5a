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
	// The place in the hashing line comes first: a sign-in turned away as
	// busy has checked no PIN, so it must count nothing. The slot itself is
	// taken only for the hash, after the attempt is counted.
	checker, release, err := s.holdForCheck(ctx, pin)
	if err != nil {
		return SignedIn{}, err
	}
	defer release()
	// Admitted: from here the attempt runs to the end even if the client
	// goes away, so that the count it makes is always settled, never left
	// behind as a failure nobody made (not even by a count committed just
	// as the request ended). The work is bounded: the place was admitted.
	ctx = context.WithoutCancel(ctx)
	p, found, pending, err := s.reserveAttempt(ctx, barcode, addr)
	if err != nil {
		return SignedIn{}, err
	}
	ok, err := s.verifyPINWith(ctx, checker, p, found, pin, false)
	release()
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
		for _, id := range pending {
			if err := tx.DeleteFailure(id); err != nil {
				return err
			}
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
// key) from client address addr counts against. With addr "" (a machine
// relaying for patrons: VerifyPIN) the primary key alone counts.
func (s *Service) throttleKeys(primary, addr string) []throttleKey {
	th := s.cfg.Throttle
	keys := []throttleKey{{primary, th.MaxFailures}}
	if addr != "" {
		keys = append(keys, throttleKey{addrKey(addr), th.AddrMaxFailures})
	}
	return keys
}

// reserve checks the locks on the keys and counts the attempt as a failure
// of each before any secret is checked, so that parallel attempts can never
// get more tries than allowed. It returns when the lock ends if a key is
// locked, and otherwise the failures recorded, to delete on success.
func (s *Service) reserve(tx Tx, keys []throttleKey, now time.Time) (locked time.Time, pending []int64, err error) {
	if locked, err = s.lockedKeys(tx, keys, now); err != nil || !locked.IsZero() {
		return locked, nil, err
	}
	for _, k := range keys {
		id, err := tx.AddFailure(k.key, now)
		if err != nil {
			return time.Time{}, nil, err
		}
		pending = append(pending, id)
	}
	return time.Time{}, pending, nil
}

// lockedKeys returns when the latest lock on the keys ends, or zero when
// none is locked; a key whose failures have reached its limit is locked
// now.
func (s *Service) lockedKeys(tx Tx, keys []throttleKey, now time.Time) (locked time.Time, err error) {
	th := s.cfg.Throttle
	for _, k := range keys {
		until, err := tx.LockedUntil(k.key, now)
		if err != nil {
			return time.Time{}, err
		}
		if until.After(locked) {
			locked = until
		}
	}
	if !locked.IsZero() {
		return locked, nil
	}
	for _, k := range keys {
		n, err := tx.CountFailures(k.key, now.Add(-th.Window.D()))
		if err != nil {
			return time.Time{}, err
		}
		if n >= k.max {
			locked = now.Add(th.Lockout.D())
			if err := pause(tx, k.key, locked); err != nil {
				return time.Time{}, err
			}
		}
	}
	return locked, nil
}

// settle locks each key whose failures have now reached its limit, so the
// lockout starts at the failure that reached it, and returns the keys it
// locked.
func (s *Service) settle(tx Tx, keys []throttleKey, now time.Time) ([]string, error) {
	th := s.cfg.Throttle
	var locked []string
	for _, k := range keys {
		n, err := tx.CountFailures(k.key, now.Add(-th.Window.D()))
		if err != nil {
			return nil, err
		}
		if n >= k.max {
			if err := pause(tx, k.key, now.Add(th.Lockout.D())); err != nil {
				return nil, err
			}
			locked = append(locked, k.key)
		}
	}
	return locked, nil
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

// reserveAttempt checks the locks on the barcode and the address, counts
// the attempt as a failure before any PIN is checked (so parallel attempts
// can never get more tries than allowed), and loads the patron.
func (s *Service) reserveAttempt(ctx context.Context, barcode, addr string) (p Patron, found bool, pending []int64, err error) {
	keys := s.throttleKeys(barcodeKey(barcode), addr)
	return reserveAndLoad(ctx, s, keys, func(tx Tx) (Patron, error) { return tx.PatronByBarcode(barcode) })
}

// reserveAndLoad is the first step of every sign-in, patron's or staff's:
// in one transaction it checks the throttle keys' locks, records a pending
// failure on each, and loads the account with load (found is false, with
// no error, when there is none). A lock gives *LockedError.
func reserveAndLoad[T any](ctx context.Context, s *Service, keys []throttleKey, load func(Tx) (T, error)) (acct T, found bool, pending []int64, err error) {
	now := s.now()
	var locked time.Time
	err = s.store.Update(ctx, func(tx Tx) error {
		// The store may run this function more than once: start afresh.
		var zero T
		acct, found = zero, false
		var err error
		locked, pending, err = s.reserve(tx, keys, now)
		if err != nil || !locked.IsZero() {
			return err
		}
		acct, err = load(tx)
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
	return acct, found, pending, err
}

// settleFailure locks a key whose failures have now reached the limit, so the
// lockout starts at the failure that reached it, and records the failure and
// any lockout in the audit log (for a registered patron; an unknown barcode
// may be a PIN typed in the wrong field, so it is never recorded).
func (s *Service) settleFailure(ctx context.Context, barcode, addr string, p Patron, found bool) error {
	now := s.now()
	keys := s.throttleKeys(barcodeKey(barcode), addr)
	by := Actor{Name: "patron", Addr: addr}
	return s.store.Update(ctx, func(tx Tx) error {
		locked, err := s.settle(tx, keys, now)
		if err != nil {
			return err
		}
		known := found && p.Registered()
		if known {
			if err := s.auditBy(tx, by, p.ID, "signin.failed", ""); err != nil {
				return err
			}
		}
		return s.auditLockouts(tx, by, locked, known, p.ID)
	})
}

// auditLockouts records the lockouts a failure began: of the account
// (when it is known, with its patron) and of the client address.
func (s *Service) auditLockouts(tx Tx, by Actor, locked []string, known bool, patronID int64) error {
	until := s.now().Add(s.cfg.Throttle.Lockout.D()).UTC().Format(time.RFC3339)
	for _, key := range locked {
		var err error
		switch {
		case strings.HasPrefix(key, "addr:"):
			err = s.auditBy(tx, by, 0, "signin.lockout.addr", "client address paused until "+until)
		case known:
			err = s.auditBy(tx, by, patronID, "signin.lockout", "paused until "+until)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// verifyPIN reports whether pin is the patron's PIN. It does one argon2id
// verification whatever the case, so the time taken says nothing about
// whether the barcode exists or which kind of PIN it has. With
// usedTemporary set, a temporary PIN still
// counts after it was used up by signing in (but not after it expired):
// the session it opened needs it as the old PIN to choose a new one.
func (s *Service) verifyPIN(ctx context.Context, p Patron, found bool, pin string, usedTemporary bool) (bool, error) {
	return s.verifyPINWith(ctx, s.hasher, p, found, pin, usedTemporary)
}

// verifyPINWith is verifyPIN hashing with h: the Hasher, or the place in
// its line that a sign-in already holds.
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
