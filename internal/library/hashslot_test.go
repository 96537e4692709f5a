package library

import (
	"context"
	"testing"
	"time"
)

// TestHashTicketHoldsNoSlotInLine proves that a sign-in's place in the
// hashing line leaves the slot free while it waits for the database: with
// one slot and a ticket taken, another hash still runs at once, and the
// ticket's own check then takes the slot and gives it back.
func TestHashTicketHoldsNoSlotInLine(t *testing.T) {
	h := NewHasher(1)
	ctx := context.Background()
	tk, err := h.enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.sem) != 0 {
		t.Fatalf("a ticket in line holds %d slots, want 0", len(h.sem))
	}
	if got := h.waiting.Load(); got != 1 {
		t.Errorf("waiting = %d with one ticket in line, want 1", got)
	}
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := h.Hash(short, "another"); err != nil {
		t.Fatalf("a hash while a ticket is in line: %v (the ticket holds the slot?)", err)
	}
	phc, err := h.Hash(ctx, "reading-room-7")
	if err != nil {
		t.Fatal(err)
	}
	ok, err := tk.Verify(ctx, phc, "reading-room-7")
	if err != nil || !ok {
		t.Fatalf("ticket Verify = %v, %v; want true", ok, err)
	}
	if len(h.sem) != 0 || h.waiting.Load() != 0 {
		t.Errorf("after the check: %d slots held, %d waiting; want 0 and 0", len(h.sem), h.waiting.Load())
	}
	if _, err := tk.Verify(ctx, phc, "reading-room-7"); ErrorCode(err) != EINTERNAL {
		t.Errorf("a second check on one ticket: %v, want EINTERNAL", err)
	}
	tk.Release() // after the check: nothing
	if len(h.sem) != 0 || h.waiting.Load() != 0 {
		t.Errorf("Release after the check changed the counts: %d slots, %d waiting", len(h.sem), h.waiting.Load())
	}
}

// TestHashTicketLineLimit proves that the line admits the free slots plus
// the queue limit, turns the next one away at once, and that a place given
// up without a check (a locked account) makes room again.
func TestHashTicketLineLimit(t *testing.T) {
	h := NewHasher(2)
	h.SetQueueLimit(1)
	ctx := context.Background()
	var in []*hashTicket
	for i := range 3 { // two free slots and one place to wait
		tk, err := h.enter(ctx)
		if err != nil {
			t.Fatalf("ticket %d of 3: %v", i+1, err)
		}
		in = append(in, tk)
	}
	if _, err := h.enter(ctx); ErrorCode(err) != EUNAVAILABLE {
		t.Fatalf("a fourth ticket with 2 slots and a queue of 1: %v, want EUNAVAILABLE", err)
	}
	if got := h.waiting.Load(); got != 3 {
		t.Errorf("waiting = %d after the refusal, want 3", got)
	}
	in[0].Release()
	in[0].Release() // twice: still one place back
	if got := h.waiting.Load(); got != 2 {
		t.Errorf("waiting = %d after one place was given up, want 2", got)
	}
	tk, err := h.enter(ctx)
	if err != nil {
		t.Fatalf("a ticket after a place was given up: %v", err)
	}
	for _, tk := range append(in[1:], tk) {
		tk.Release()
	}
	if got := h.waiting.Load(); got != 0 {
		t.Errorf("waiting = %d with every place given up, want 0", got)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.enter(cancelled); ErrorCode(err) != EUNAVAILABLE {
		t.Errorf("a ticket for a cancelled request: %v, want EUNAVAILABLE", err)
	}
}

// TestHashTicketWaitsForSlot proves that an admitted ticket is never
// turned away as busy: it waits for a slot, and gives its place up when
// its request ends first.
func TestHashTicketWaitsForSlot(t *testing.T) {
	h := NewHasher(1)
	h.SetQueueLimit(1)
	ctx := context.Background()
	tk, err := h.enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h.sem <- struct{}{} // the slot is taken after the ticket was admitted
	done := make(chan error, 1)
	go func() { done <- tk.VerifyDummy(ctx, "x") }()
	select {
	case err := <-done:
		t.Fatalf("the check ran without a slot: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	<-h.sem
	if err := <-done; err != nil {
		t.Fatalf("the check once the slot was free: %v", err)
	}

	tk, err = h.enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h.sem <- struct{}{}
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if err := tk.VerifyDummy(short, "x"); ErrorCode(err) != EUNAVAILABLE {
		t.Errorf("a check whose request ended while waiting: %v, want EUNAVAILABLE", err)
	}
	<-h.sem
	if len(h.sem) != 0 || h.waiting.Load() != 0 {
		t.Errorf("after the request ended: %d slots, %d waiting; want 0 and 0", len(h.sem), h.waiting.Load())
	}
}

// TestHashTicketOwnerShare proves that no owner of places in the hashing
// line (a client address, a session) holds more than its share: with 2
// slots and a queue of 6 the share is a quarter of the 8 places, 2. A
// third place for one owner is refused at once while another owner is
// admitted; a place taken for two owners (an address and a session) is
// refused when either holds its share; a place given back, by a check
// that ran or by a Release, makes room again; SetShare sets the share.
func TestHashTicketOwnerShare(t *testing.T) {
	h := NewHasher(2)
	h.SetQueueLimit(6)
	ctx := context.Background()
	var held []*hashTicket
	take := func(owners ...string) {
		t.Helper()
		tk, err := h.enter(ctx, owners...)
		if err != nil {
			t.Fatalf("a place for %v: %v", owners, err)
		}
		held = append(held, tk)
	}
	refused := func(owners ...string) {
		t.Helper()
		if _, err := h.enter(ctx, owners...); ErrorCode(err) != EUNAVAILABLE {
			t.Errorf("a place for %v beyond the share: %v, want EUNAVAILABLE", owners, err)
		}
	}
	take("addr:a")
	take("addr:a")
	refused("addr:a")
	take("addr:b")
	take("addr:c", "session:1")
	take("addr:d", "session:1")
	refused("addr:e", "session:1") // the session holds its share
	refused("addr:a", "session:2") // the address does
	if got := h.waiting.Load(); got != 5 {
		t.Errorf("waiting = %d after 5 places and 3 refusals, want 5 (a refusal holds nothing)", got)
	}

	// A check that ran gives its place back; so does a Release.
	if err := held[0].VerifyDummy(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	take("addr:a")
	held[3].Release() // addr:c and session:1
	take("addr:e", "session:1")

	h.SetShare(3)
	take("addr:a")
	refused("addr:a")

	for _, tk := range held {
		tk.Release()
	}
	if got := h.waiting.Load(); got != 0 || len(h.owners) != 0 {
		t.Errorf("with every place given back: waiting %d, owners %v; want 0 and none", got, h.owners)
	}
}

// TestHashTicketInTurn proves that a caller that waits its turn (a SIP2
// login) is not refused when its owner holds its share: it waits, holding
// no place, until one of the owner's places is given back; it gives up
// when its context ends; and a full line still answers busy at once.
func TestHashTicketInTurn(t *testing.T) {
	h := NewHasher(1)
	h.SetQueueLimit(7) // 8 places, a share of 2
	ctx := context.Background()
	a1, err := h.enter(ctx, "sip2addr:a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.enter(ctx, "sip2addr:a"); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		tk, err := h.enterInTurn(ctx, "sip2addr:a")
		if err == nil {
			tk.Release()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("a login beyond its address's share did not wait its turn: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	if n := h.waiting.Load(); n != 2 {
		t.Errorf("waiting = %d while a login waits its turn, want 2: the turn holds no place", n)
	}
	a1.Release()
	if err := <-got; err != nil {
		t.Fatalf("the login once a place of its address was given back: %v", err)
	}

	if _, err := h.enter(ctx, "sip2addr:a"); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if _, err := h.enterInTurn(short, "sip2addr:a"); ErrorCode(err) != EUNAVAILABLE {
		t.Errorf("a login whose request ended while waiting its turn: %v, want EUNAVAILABLE", err)
	}

	h.SetShare(100)
	for i := range 6 { // the line is 8 places; two are held
		if _, err := h.enter(ctx, "addr:x"); err != nil {
			t.Fatalf("place %d: %v", i+3, err)
		}
	}
	if _, err := h.enterInTurn(ctx, "sip2addr:b"); ErrorCode(err) != EUNAVAILABLE {
		t.Errorf("a login when the whole line is full: %v, want EUNAVAILABLE at once", err)
	}
}
