package library

import (
	"context"
	"time"
)

// Service carries out what patrons, staff and machines ask of the library,
// applying the rules in one place for every entrance.
type Service struct {
	cfg    *Config
	store  Store
	hasher *Hasher
	key    *SecretKey // seals the staff's two-factor secrets (UseSecretKey)
	now    func() time.Time
	// settled wakes attempts waiting for other checks of their throttle
	// keys to settle (attempt.go).
	settled signal
	// throttleLocks serialise this node's transactions on one throttle key.
	throttleLocks keyLocks
}

// NewService returns a Service over the given store. cfg must be prepared.
// The hasher's queue is bounded by cfg.Limits.SignInQueue, and each
// client's share of it by cfg.Limits.SignInShare.
func NewService(cfg *Config, store Store, hasher *Hasher) *Service {
	if hasher != nil {
		hasher.SetQueueLimit(cfg.Limits.SignInQueue)
		hasher.SetShare(cfg.Limits.SignInShare)
	}
	return &Service{cfg: cfg, store: store, hasher: hasher, now: time.Now}
}

// Config returns the library's configuration.
func (s *Service) Config() *Config { return s.cfg }

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// Hasher returns the service's PIN hasher.
func (s *Service) Hasher() *Hasher { return s.hasher }

// SetClock replaces the clock, for tests and demos that need another day.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Now returns the service's current time.
func (s *Service) Now() time.Time { return s.now() }

// Sweep removes expired patron and staff sessions, sign-in failures that no
// longer count and old desk request tokens, and expires holds not picked
// up in time (ExpireHolds). `carrel serve` calls it every few minutes,
// once per cluster.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now()
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.DeleteStaleSessions(now.Add(-s.cfg.Session.IdleTimeout.D()), now); err != nil {
			return err
		}
		if _, err := tx.DeleteStaleStaffSessions(now.Add(-s.cfg.Staff.IdleTimeout.D()), now); err != nil {
			return err
		}
		if err := tx.DeleteOldRequests(now.Add(-max(requestTokenKept, s.cfg.Staff.AbsoluteTimeout.D()))); err != nil {
			return err
		}
		return tx.DeleteOldFailures(now.Add(-max(s.cfg.Throttle.Window.D(), s.cfg.Throttle.Lockout.D())))
	})
	if err != nil {
		return err
	}
	_, err = s.ExpireHolds(ctx)
	return err
}

// requestTokenKept is how long a desk request token is remembered: longer
// than any staff session, so a form can never be submitted twice.
const requestTokenKept = 48 * time.Hour

// audit appends to the audit log for an actor known only by name.
func (s *Service) audit(tx Tx, actor string, patronID int64, action, detail string) error {
	return s.auditBy(tx, byName(actor), patronID, action, detail)
}

// auditBy appends to the audit log what the actor did, and from where.
// detail must never hold a PIN, a password, a hash or an HKID number.
func (s *Service) auditBy(tx Tx, by Actor, patronID int64, action, detail string) error {
	return tx.AddAudit(&AuditEntry{At: s.now(), Actor: by.Name, Addr: by.Addr, PatronID: patronID, Action: action, Detail: detail})
}
