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

// TestHashTicketKeepsSlot proves that a SIP2 login's check keeps its slot
// until the outcome is recorded (Release), so no more logins than slots
// pass the throttle's locks before their failures count.
func TestHashTicketKeepsSlot(t *testing.T) {
	h := NewHasher(1)
	ctx := context.Background()
	tk, err := h.enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tk.keep = true
	if err := tk.VerifyDummy(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if len(h.sem) != 1 {
		t.Fatalf("a kept check holds %d slots after it ran, want 1", len(h.sem))
	}
	tk.Release()
	tk.Release()
	if len(h.sem) != 0 || h.waiting.Load() != 0 {
		t.Errorf("after Release: %d slots, %d waiting; want 0 and 0", len(h.sem), h.waiting.Load())
	}
}
