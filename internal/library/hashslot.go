package library

import "context"

// secretChecker verifies a PIN or password against a stored hash, or does
// the same work against none. The Hasher is one (it waits for a slot per
// call); a hashTicket is another (its place in line is already taken).
type secretChecker interface {
	Verify(ctx context.Context, phc, pin string) (bool, error)
	VerifyDummy(ctx context.Context, pin string) error
}

// hashTicket is a place in the Hasher's line, taken for the one check a
// sign-in makes. A sign-in takes it before it counts the attempt in the
// throttle, so that an attempt turned away because hashing is busy has
// counted nothing: its PIN was never checked. Counting first and giving the
// count back later would not do: while a burst waits, the counts of
// attempts about to be turned away could lock the barcode.
//
// The ticket holds no hashing slot while the attempt is counted: the slot
// is taken only for the hash itself, so that the cores keep hashing while
// other sign-ins wait for the database. An admitted ticket is never turned
// away as busy; it waits for a slot unless its context ends (a sign-in,
// once admitted, goes on without its request's end, so that the count it
// made is always settled).
type hashTicket struct {
	h *Hasher
	// keep makes the check hold its slot until Release, for a caller that
	// must record the outcome before another check may start.
	keep  bool
	state ticketState
}

// ticketState is where a hashTicket stands.
type ticketState int

const (
	ticketInLine  ticketState = iota // counted as waiting, no slot yet
	ticketHashing                    // holds a slot (kept after the check)
	ticketDone                       // the check ran, or the place was given up
)

// enter takes a place in line for one hash: a free slot, or a place among
// the callers allowed to wait (SetQueueLimit). A full line gives
// EUNAVAILABLE at once, as Verify would. The place counts as waiting until
// the check takes a slot; Release gives it up if the check never runs.
func (h *Hasher) enter(ctx context.Context) (*hashTicket, error) {
	if err := ctx.Err(); err != nil {
		return nil, unavailable(err)
	}
	n := h.waiting.Add(1)
	free := int64(cap(h.sem) - len(h.sem))
	if lim := h.queueLimit.Load(); lim > 0 && n > lim+free {
		h.waiting.Add(-1)
		return nil, Errorf(EUNAVAILABLE, "PIN hashing: %d callers already waiting", lim)
	}
	return &hashTicket{h: h}, nil
}

// Verify takes a slot for the ticket (waiting while ctx allows, never
// turned away as busy), checks pin against phc and gives the slot back,
// or keeps it until Release when the ticket says so. A ticket is good for
// one check.
func (t *hashTicket) Verify(ctx context.Context, phc, pin string) (bool, error) {
	if t.state != ticketInLine {
		return false, Errorf(EINTERNAL, "PIN hashing: a place in line used twice")
	}
	ph, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	select {
	case t.h.sem <- struct{}{}:
	case <-ctx.Done():
		t.Release()
		return false, unavailable(ctx.Err())
	}
	t.h.waiting.Add(-1)
	t.state = ticketHashing
	ok := t.h.verifyParsed(ph, pin)
	if !t.keep {
		t.Release()
	}
	return ok, nil
}

// VerifyDummy is Hasher.VerifyDummy on the ticket's place.
func (t *hashTicket) VerifyDummy(ctx context.Context, pin string) error {
	_, err := t.Verify(ctx, t.h.dummyPHC, pin)
	return err
}

// Release gives back the slot the ticket holds, or its place in line when
// the check never ran (a locked account, a database error). Calling it
// again does nothing.
func (t *hashTicket) Release() {
	if t == nil {
		return
	}
	switch t.state {
	case ticketInLine:
		t.h.waiting.Add(-1)
	case ticketHashing:
		<-t.h.sem
	}
	t.state = ticketDone
}

// holdForCheck takes a place in the hashing line for a sign-in's check of
// secret, before the attempt is counted. A secret refused before any
// hashing (empty, or over the length limit) needs none: the Hasher itself
// is returned, never called. release is always safe to call, more than once.
func (s *Service) holdForCheck(ctx context.Context, secret string) (c secretChecker, release func(), err error) {
	if secret == "" || pinTooLong(secret, s.cfg.PIN.MaxLength) {
		return s.hasher, func() {}, nil
	}
	t, err := s.hasher.enter(ctx)
	if err != nil {
		return nil, nil, err
	}
	return t, t.Release, nil
}

// holdSlotForCheck is holdForCheck for a caller that records the outcome
// before giving the slot back (SIP2 Login): the slot the check takes stays
// held until release, so no more checks than there are slots can pass the
// throttle's locks before their failures are recorded.
func (s *Service) holdSlotForCheck(ctx context.Context, secret string) (c secretChecker, release func(), err error) {
	c, release, err = s.holdForCheck(ctx, secret)
	if t, ok := c.(*hashTicket); ok {
		t.keep = true
	}
	return c, release, err
}
