package library

import (
	"context"
	"strconv"
)

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
// other sign-ins wait for the database. An admitted ticket is not turned
// away as busy; it waits for a slot unless its context ends (a sign-in
// bounds that wait by its reservation's life: attempt.go).
//
// A place is taken on behalf of its owners (the client address; for
// Change Password the session too), each of whom may hold at most a share
// of the line (SetShare): one client, however many requests it sends at
// once, cannot take the line from everyone else.
type hashTicket struct {
	h      *Hasher
	owners []string
	state  ticketState
}

// ticketState is where a hashTicket stands.
type ticketState int

const (
	ticketInLine  ticketState = iota // counted as waiting, no slot yet
	ticketHashing                    // holds a slot
	ticketDone                       // the check ran, or the place was given up
)

// errOwnerShare is the busy answer to an owner who holds its share of the
// line already.
var errOwnerShare = &Error{Code: EUNAVAILABLE, Message: "PIN hashing: this client holds its share of the line already"}

// SetShare sets the most places in line (free slots plus the queue) that
// one owner, a client address or a session, may hold at once; a further
// check of that owner is answered busy at once, or waits for one of the
// owner's places (a SIP2 login). 0, the default, means a quarter of the
// slots and the queue limit, at least 2; with no queue limit, no share.
func (h *Hasher) SetShare(n int) {
	h.share.Store(int64(max(n, 0)))
}

// ownerShare is the share in force: SetShare's, or a quarter of the line.
func (h *Hasher) ownerShare() int64 {
	if n := h.share.Load(); n > 0 {
		return n
	}
	q := h.queueLimit.Load()
	if q == 0 {
		return 0
	}
	return max(2, (int64(cap(h.sem))+q)/4)
}

// takeShare counts a place for each owner, unless one of them holds its
// share already; then it counts nothing, reports false and returns the
// channel that is closed when an owner next gives a place back.
func (h *Hasher) takeShare(owners []string) (ok bool, freed <-chan struct{}) {
	limit := h.ownerShare()
	if len(owners) == 0 || limit == 0 {
		return true, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, o := range owners {
		if int64(h.owners[o]) >= limit {
			return false, h.freed
		}
	}
	for _, o := range owners {
		h.owners[o]++
	}
	return true, nil
}

// giveShare gives back the places takeShare counted, and wakes whoever
// waits for one.
func (h *Hasher) giveShare(owners []string) {
	if len(owners) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, o := range owners {
		if h.owners[o]--; h.owners[o] <= 0 {
			delete(h.owners, o)
		}
	}
	close(h.freed)
	h.freed = make(chan struct{})
}

// enter takes a place in line for one hash, on behalf of owners: a free
// slot, or a place among the callers allowed to wait (SetQueueLimit). A
// full line, or an owner already holding its share, gives EUNAVAILABLE at
// once, as Verify would. The place counts as waiting until the check takes
// a slot; Release gives it up if the check never runs.
func (h *Hasher) enter(ctx context.Context, owners ...string) (*hashTicket, error) {
	return h.admit(ctx, owners, false)
}

// enterInTurn is enter for a caller that waits, while ctx allows, for one
// of its owners' places to be given back rather than be answered busy
// when an owner holds its share: a SIP2 login, which a kiosk makes at
// start, every kiosk of a branch at once after a restart, and which many
// kiosks do not retry for minutes. The waiting holds no place in line, so
// it takes nothing from anyone else. A full line still answers busy.
func (h *Hasher) enterInTurn(ctx context.Context, owners ...string) (*hashTicket, error) {
	return h.admit(ctx, owners, true)
}

// admit is enter, or enterInTurn when inTurn is set.
func (h *Hasher) admit(ctx context.Context, owners []string, inTurn bool) (*hashTicket, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, unavailable(err)
		}
		ok, freed := h.takeShare(owners)
		if ok {
			break
		}
		if !inTurn {
			return nil, errOwnerShare
		}
		select {
		case <-freed:
		case <-ctx.Done():
			return nil, unavailable(ctx.Err())
		}
	}
	n := h.waiting.Add(1)
	free := int64(cap(h.sem) - len(h.sem))
	if lim := h.queueLimit.Load(); lim > 0 && n > lim+free {
		h.waiting.Add(-1)
		h.giveShare(owners)
		return nil, Errorf(EUNAVAILABLE, "PIN hashing: %d callers already waiting", lim)
	}
	return &hashTicket{h: h, owners: owners}, nil
}

// Verify takes a slot for the ticket (waiting while ctx allows, never
// turned away as busy), checks pin against phc and gives the slot and the
// place back. A ticket is good for one check.
func (t *hashTicket) Verify(ctx context.Context, phc, pin string) (bool, error) {
	if t.state != ticketInLine {
		return false, errTicketUsed
	}
	ph, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	if err := t.take(ctx); err != nil {
		return false, err
	}
	ok := t.h.verifyParsed(ph, pin)
	t.Release()
	return ok, nil
}

// Hash takes a slot for the ticket as Verify does and returns the argon2id
// PHC string of pin: a new PIN chosen without an old one to check
// (changepin_preset.go) is hashed on a place in line all the same, so that
// one session sending it many times at once holds no more than its share.
func (t *hashTicket) Hash(ctx context.Context, pin string) (string, error) {
	if t.state != ticketInLine {
		return "", errTicketUsed
	}
	if err := t.take(ctx); err != nil {
		return "", err
	}
	phc := t.h.derive(pin)
	t.Release()
	return phc, nil
}

// errTicketUsed refuses a second hash on one place in line.
var errTicketUsed = &Error{Code: EINTERNAL, Message: "PIN hashing: a place in line used twice"}

// take waits, while ctx allows, for a hashing slot for the ticket; a
// ticket whose context ends first gives its place back.
func (t *hashTicket) take(ctx context.Context) error {
	select {
	case t.h.sem <- struct{}{}:
	case <-ctx.Done():
		t.Release()
		return unavailable(ctx.Err())
	}
	t.h.waiting.Add(-1)
	t.state = ticketHashing
	return nil
}

// VerifyDummy is Hasher.VerifyDummy on the ticket's place.
func (t *hashTicket) VerifyDummy(ctx context.Context, pin string) error {
	_, err := t.Verify(ctx, t.h.dummyPHC, pin)
	return err
}

// Release gives back the slot the ticket holds, or its place in line when
// the check never ran (a locked account, a database error), and its
// owners' places. Calling it again does nothing.
func (t *hashTicket) Release() {
	if t == nil || t.state == ticketDone {
		return
	}
	switch t.state {
	case ticketInLine:
		t.h.waiting.Add(-1)
	case ticketHashing:
		<-t.h.sem
	}
	t.state = ticketDone
	t.h.giveShare(t.owners)
}

// Owners of places in the hashing line (hashTicket): a client address of
// the web or the API, a patron session, and a SIP2 client address, apart
// from the web's so that a branch's kiosks and its public terminals behind
// one address do not share one share.
func addrOwner(addr string) string    { return "addr:" + addr }
func sessionOwner(id int64) string    { return "session:" + strconv.FormatInt(id, 10) }
func sipAddrOwner(addr string) string { return "sip2addr:" + addr }
