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
	now    func() time.Time
}

// NewService returns a Service over the given store. cfg must be prepared.
func NewService(cfg *Config, store Store, hasher *Hasher) *Service {
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

// Sweep removes expired sessions and sign-in failures that no longer count.
// `carrel serve` calls it every few minutes.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now()
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.DeleteStaleSessions(now.Add(-s.cfg.Session.IdleTimeout.D()), now); err != nil {
			return err
		}
		return tx.DeleteOldFailures(now.Add(-max(s.cfg.Throttle.Window.D(), s.cfg.Throttle.Lockout.D())))
	})
}

func (s *Service) audit(tx Tx, actor string, patronID int64, action, detail string) error {
	return tx.AddAudit(&AuditEntry{At: s.now(), Actor: actor, PatronID: patronID, Action: action, Detail: detail})
}
