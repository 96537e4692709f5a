package library

import "context"

// secretChecker verifies a PIN or password against a stored hash, or does
// the same work against none. The Hasher is one (it waits for a slot per
// call); a hashSlot is another (its slot is already held).
type secretChecker interface {
	Verify(ctx context.Context, phc, pin string) (bool, error)
	VerifyDummy(ctx context.Context, pin string) error
}

// hashSlot is a slot of the Hasher's semaphore held for the one check a
// sign-in makes. A sign-in takes it before it counts the attempt in the
// throttle, so that an attempt turned away because hashing is busy has
// counted nothing: its PIN was never checked. Counting first and giving the
// count back later would not do: while a burst waits, the counts of
// attempts about to be turned away could lock the barcode.
type hashSlot struct {
	h        *Hasher
	release  func()
	released bool
}

// hold takes a slot, waiting as Verify would (and like it giving
// EUNAVAILABLE when the queue is full or ctx ends). Release gives it back.
func (h *Hasher) hold(ctx context.Context) (*hashSlot, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &hashSlot{h: h, release: release}, nil
}

// Verify is Hasher.Verify in the slot held: it never waits.
func (s *hashSlot) Verify(_ context.Context, phc, pin string) (bool, error) {
	ph, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	return s.h.verifyParsed(ph, pin), nil
}

// VerifyDummy is Hasher.VerifyDummy in the slot held.
func (s *hashSlot) VerifyDummy(ctx context.Context, pin string) error {
	_, err := s.Verify(ctx, s.h.dummyPHC, pin)
	return err
}

// Release gives the slot back; calling it again does nothing.
func (s *hashSlot) Release() {
	if s != nil && !s.released {
		s.released = true
		s.release()
	}
}

// holdForCheck takes a hashing slot for a sign-in's check of secret, before
// the attempt is counted. A secret refused before any hashing (empty, or
// over the length limit) needs none: the Hasher itself is returned, never
// called. release is always safe to call, more than once.
func (s *Service) holdForCheck(ctx context.Context, secret string) (c secretChecker, release func(), err error) {
	if secret == "" || pinTooLong(secret, s.cfg.PIN.MaxLength) {
		return s.hasher, func() {}, nil
	}
	slot, err := s.hasher.hold(ctx)
	if err != nil {
		return nil, nil, err
	}
	return slot, slot.Release, nil
}
