package library

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Every check of a secret (a patron's sign-in on the web or the API, a
// kiosk's PIN check, a wrong old PIN on Change Password, a desk sign-in or
// two-factor code, a SIP2 machine's login) goes through one path, an
// attempt:
//
//  1. it takes a place in the hashing line, on behalf of its owners (the
//     client address, the session), so that a check turned away as busy
//     counts nothing;
//  2. in one transaction it reads the pauses of its throttle keys and
//     counts itself as a pending failure of each (a reservation), before
//     the secret is checked: so a burst, however large, gets no more
//     checks than the allowance;
//  3. the check settles the reservation (a wrong secret: a failure for the
//     whole window, and a pause when it reaches the limit) or deletes it
//     (a right one).
//
// A reservation that is never settled, because the server stopped in the
// middle of the check, counts only for ReservationLife. Without that bound
// the reservations of checks cut off by restarts would add up, restart
// after restart, to a pause nobody earned: of a patron, or of every kiosk
// sharing one SIP2 login. Since a check must begin within checkStartWithin
// of its reservation (or give it back, answered busy), a reservation never
// stops counting while its check may still run.
//
// While a key's settled failures and live reservations together reach its
// limit, but its failures alone do not, the outcome depends on checks in
// flight: a new attempt waits for them (up to reservationWait) rather than
// being paused or let through. So twenty right PINs at once all sign in,
// fifty kiosks sharing a login all log in after a restart, and twenty
// wrong PINs at once get exactly ten checks.
const (
	// ReservationLife is how long an unsettled reservation counts.
	ReservationLife = 30 * time.Second
	// checkStartWithin is how long, after its reservation, a check may wait
	// for a hashing slot; beyond it the attempt is answered busy and gives
	// its reservation back, well before the reservation stops counting.
	checkStartWithin = ReservationLife / 2
	// reservationWait is how long an attempt waits for other checks of its
	// keys to settle before it is answered busy (counting nothing).
	reservationWait = ReservationLife / 2
	// reservationPoll is how often a waiting attempt looks again when no
	// check of this node settles: a check on another node may have.
	reservationPoll = 200 * time.Millisecond
)

// attemptState is where an attempt stands.
type attemptState int

const (
	attemptReserved attemptState = iota // counted as pending, not checked yet
	attemptChecked                      // the secret was checked
	attemptWrong                        // checked and wrong; the failure not yet settled
	attemptSettled                      // a settled failure
	attemptCleared                      // right: the reservation deleted
)

// attempt is one check of a secret, counted before it is made. It is a
// secretChecker: the check hashes on the attempt's place in line.
type attempt struct {
	s       *Service
	ctx     context.Context // the request's, without its cancellation
	keys    []throttleKey
	ticket  *hashTicket // nil for a check that does no hashing (a two-factor code)
	pending []int64
	// deadline is when, in real time, the check must have its slot.
	deadline time.Time
	state    attemptState
}

// lineClaim says for whom an attempt takes its place in the hashing line.
type lineClaim struct {
	owners []string
	// inTurn waits for one of the owners' places rather than answering
	// busy (a SIP2 login: Hasher.enterInTurn).
	inTurn bool
}

// beginAttempt is the first step of every check: it takes the place in
// line (none when line is nil), and in one transaction checks the keys'
// pauses, reserves a pending failure on each and loads the account with
// load (found is false, with no error, when there is none; load may be nil).
// A pause gives *LockedError; a busy line, or checks in flight that do not
// settle in time, give EUNAVAILABLE; neither counts anything. The caller
// must close the attempt.
func beginAttempt[T any](ctx context.Context, s *Service, line *lineClaim, keys []throttleKey, load func(Tx) (T, error)) (a *attempt, acct T, found bool, err error) {
	a = &attempt{s: s, ctx: context.WithoutCancel(ctx), keys: keys}
	if line != nil {
		if line.inTurn {
			a.ticket, err = s.hasher.enterInTurn(ctx, line.owners...)
		} else {
			a.ticket, err = s.hasher.enter(ctx, line.owners...)
		}
		if err != nil {
			return nil, acct, false, err
		}
	}
	began := time.Now()
	for waited := false; ; waited = true {
		settled := s.settled.wait()
		now := s.now()
		var locked time.Time
		var full bool
		if waited {
			// Look first without writing: most wake-ups of a waiting
			// attempt find the allowance still full, and reading costs the
			// checks in flight nothing.
			locked, full, err = s.roomFor(a.ctx, keys, now)
		}
		if err == nil && locked.IsZero() && !full {
			// The transaction runs to its end even if the request ends: a
			// reservation committed as the request ended is then given back
			// by close, never left behind.
			unlock := s.throttleLocks.lock(keys)
			err = s.store.Update(a.ctx, func(tx Tx) error {
				// The store may run this function more than once: start afresh.
				var zero T
				acct, found, a.pending = zero, false, nil
				var err error
				locked, full, a.pending, err = s.reserve(tx, keys, now)
				if err != nil || !locked.IsZero() || full || load == nil {
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
			unlock()
		}
		switch {
		case err != nil:
		case !locked.IsZero():
			err = &LockedError{Until: locked}
		case full && time.Since(began) >= reservationWait:
			err = Errorf(EUNAVAILABLE, "sign-in: other checks of the same account are still running")
		case full:
			timer := time.NewTimer(reservationPoll)
			select {
			case <-settled:
			case <-timer.C:
			case <-ctx.Done():
				err = unavailable(ctx.Err())
			}
			timer.Stop()
			if err == nil {
				continue
			}
		}
		if err != nil {
			a.ticket.Release()
			var zero T
			return nil, zero, false, err
		}
		a.deadline = time.Now().Add(checkStartWithin)
		return a, acct, found, nil
	}
}

// roomFor reads, without writing, whether an attempt on keys would now be
// paused (locked) or would have to wait for checks in flight (full).
func (s *Service) roomFor(ctx context.Context, keys []throttleKey, now time.Time) (locked time.Time, full bool, err error) {
	th := s.cfg.Throttle
	err = s.store.View(ctx, func(tx Tx) error {
		locked, full = time.Time{}, false
		var err error
		if locked, err = s.lockedNow(tx, keys, now); err != nil || !locked.IsZero() {
			return err
		}
		for _, k := range keys {
			failures, reserved, err := tx.CountAttempts(k.key, now.Add(-th.Window.D()), now)
			if err != nil {
				return err
			}
			// A key whose failures reached its limit unpaused is left to
			// reserve, which pauses it.
			full = full || (failures < k.max && failures+reserved >= k.max)
		}
		return nil
	})
	return locked, full, err
}

// reserve checks the locks on the keys and, when none is paused and every
// key has room, counts the attempt as a pending failure of each. It
// returns when the lock ends if a key is paused; full when a key's
// failures and the reservations of checks in flight fill its allowance;
// otherwise the reservations made.
func (s *Service) reserve(tx Tx, keys []throttleKey, now time.Time) (locked time.Time, full bool, pending []int64, err error) {
	if locked, err = s.lockedNow(tx, keys, now); err != nil || !locked.IsZero() {
		return locked, false, nil, err
	}
	th := s.cfg.Throttle
	for _, k := range keys {
		failures, reserved, err := tx.CountAttempts(k.key, now.Add(-th.Window.D()), now)
		if err != nil {
			return time.Time{}, false, nil, err
		}
		if failures >= k.max {
			// Reached without a pause (the limit was lowered): pause now.
			locked = now.Add(th.Lockout.D())
			if err := pause(tx, k.key, locked); err != nil {
				return time.Time{}, false, nil, err
			}
		}
		full = full || failures+reserved >= k.max
	}
	if !locked.IsZero() {
		return locked, false, nil, nil
	}
	if full {
		return time.Time{}, true, nil, nil
	}
	for _, k := range keys {
		id, err := tx.ReserveFailure(k.key, now, now.Add(ReservationLife))
		if err != nil {
			return time.Time{}, false, nil, err
		}
		pending = append(pending, id)
	}
	return time.Time{}, false, pending, nil
}

// lockedNow returns when the latest pause of the keys ends, or zero when
// none is paused.
func (s *Service) lockedNow(tx Tx, keys []throttleKey, now time.Time) (locked time.Time, err error) {
	for _, k := range keys {
		until, err := tx.LockedUntil(k.key, now)
		if err != nil {
			return time.Time{}, err
		}
		if until.After(locked) {
			locked = until
		}
	}
	return locked, nil
}

// Verify checks pin against phc on the attempt's place in line. A check
// that cannot have a slot by the attempt's deadline is answered busy.
func (a *attempt) Verify(ctx context.Context, phc, pin string) (bool, error) {
	if a.ticket == nil {
		return false, Errorf(EINTERNAL, "sign-in: a check without a place in the hashing line")
	}
	ctx, cancel := context.WithDeadline(ctx, a.deadline)
	defer cancel()
	ok, err := a.ticket.Verify(ctx, phc, pin)
	if err == nil {
		a.state = attemptChecked
	}
	return ok, err
}

// VerifyDummy does the work of a Verify on the attempt's place in line.
func (a *attempt) VerifyDummy(ctx context.Context, pin string) error {
	_, err := a.Verify(ctx, a.s.hasher.dummyPHC, pin)
	return err
}

// fail settles the attempt as a failure: the reservations become failures
// for the whole window, each key whose failures now reach its limit is
// paused (so the pause starts at the failure that reached it), and audit
// records the failure and the pauses in the same transaction.
func (a *attempt) fail(audit func(tx Tx, locked []string) error) error {
	a.state = attemptWrong
	now := a.s.now()
	th := a.s.cfg.Throttle
	unlock := a.s.throttleLocks.lock(a.keys)
	defer unlock()
	err := a.s.store.Update(a.ctx, func(tx Tx) error {
		for _, id := range a.pending {
			if err := tx.SettleFailure(id); err != nil {
				return err
			}
		}
		var locked []string
		for _, k := range a.keys {
			n, err := tx.CountFailures(k.key, now.Add(-th.Window.D()))
			if err != nil {
				return err
			}
			if n >= k.max {
				if err := pause(tx, k.key, now.Add(th.Lockout.D())); err != nil {
					return err
				}
				locked = append(locked, k.key)
			}
		}
		return audit(tx, locked)
	})
	if err == nil {
		a.state = attemptSettled
	}
	return err
}

// succeed runs fn, the work of a right secret, in one transaction with the
// deletion of the attempt's reservations.
func (a *attempt) succeed(fn func(tx Tx) error) error {
	unlock := a.s.throttleLocks.lock(a.keys)
	defer unlock()
	err := a.s.store.Update(a.ctx, func(tx Tx) error {
		for _, id := range a.pending {
			if err := tx.DeleteFailure(id); err != nil {
				return err
			}
		}
		return fn(tx)
	})
	if err == nil {
		a.state = attemptCleared
	}
	return err
}

// close gives back the attempt's place in line and, unless it was settled
// or cleared, its reservations: a check that never ran, or that was right
// but could not finish, counts nothing. A wrong check whose failure could
// not be settled keeps its reservation, which counts until it expires.
// Waiting attempts are then told to look again.
func (a *attempt) close() {
	a.ticket.Release()
	switch a.state {
	case attemptReserved, attemptChecked:
		if len(a.pending) > 0 {
			unlock := a.s.throttleLocks.lock(a.keys)
			_ = a.s.store.Update(a.ctx, func(tx Tx) error {
				for _, id := range a.pending {
					if err := tx.DeleteFailure(id); err != nil {
						return err
					}
				}
				return nil
			})
			unlock()
		}
	}
	a.s.settled.notify()
}

// refuseUnchecked answers an attempt whose secret can never be right
// (empty, or longer than pin.max_length) without checking or counting
// anything: failed, or *LockedError while a key is paused, as any other
// secret would be answered. It reads, and writes nothing.
func (s *Service) refuseUnchecked(ctx context.Context, keys []throttleKey, failed error) error {
	now := s.now()
	th := s.cfg.Throttle
	var locked time.Time
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if locked, err = s.lockedNow(tx, keys, now); err != nil || !locked.IsZero() {
			return err
		}
		for _, k := range keys {
			n, err := tx.CountFailures(k.key, now.Add(-th.Window.D()))
			if err != nil {
				return err
			}
			if n >= k.max {
				locked = now.Add(th.Lockout.D())
			}
		}
		return nil
	})
	switch {
	case err != nil:
		return err
	case !locked.IsZero():
		return &LockedError{Until: locked}
	}
	return failed
}

// checkable reports whether a secret can be right at all: one that is
// empty or longer than pin.max_length never is, and is refused before any
// hashing, never truncated, and without counting against anyone.
func (s *Service) checkable(secret string) bool {
	return secret != "" && !pinTooLong(secret, s.cfg.PIN.MaxLength)
}

// keyLocks serialises, within one node, the transactions that count or
// settle attempts on the same throttle keys. Without it, on PostgreSQL,
// concurrent attempts on one key (fifty kiosks sharing a login, logging
// in at once) each read the key's count and add to it, and serialisable
// transactions abort all but one of them, again and again: the retries'
// back-off then made a burst take minutes. Attempts on other nodes still
// meet the database's own serialisation, rarely. A lock is held for one
// transaction, never while hashing or waiting; keys are taken in order.
type keyLocks struct {
	mu   sync.Mutex
	held map[string]*keyLock
}

// keyLock is one key's lock and how many goroutines hold or wait for it.
type keyLock struct {
	sync.Mutex
	refs int
}

// lock takes the locks of keys, in order, and returns what releases them.
func (l *keyLocks) lock(keys []throttleKey) (unlock func()) {
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.key)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	locks := make([]*keyLock, len(names))
	l.mu.Lock()
	if l.held == nil {
		l.held = map[string]*keyLock{}
	}
	for i, n := range names {
		kl := l.held[n]
		if kl == nil {
			kl = &keyLock{}
			l.held[n] = kl
		}
		kl.refs++
		locks[i] = kl
	}
	l.mu.Unlock()
	for _, kl := range locks {
		kl.Lock()
	}
	return func() {
		for i := len(locks) - 1; i >= 0; i-- {
			locks[i].Unlock()
		}
		l.mu.Lock()
		for i, n := range names {
			if locks[i].refs--; locks[i].refs == 0 {
				delete(l.held, n)
			}
		}
		l.mu.Unlock()
	}
}

// signal wakes every goroutine waiting on it. Attempts waiting for checks
// in flight wait on the Service's: each attempt's close signals it.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel closed at the next notify.
func (g *signal) wait() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

// notify wakes every current waiter.
func (g *signal) notify() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
}
