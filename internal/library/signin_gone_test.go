package library_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// TestSignInClientGoneLeavesNoCount proves that a sign-in whose client
// goes away after its attempt was counted still settles the count: with
// one hashing slot, 8 patrons sign in with their right PINs at once (each
// from an address of its own), each request giving up after 30 ms, when
// most are still waiting for the slot. Every one that was counted goes on
// to its check and signs in (the session is there for the patron's next
// visit) and takes its count away, so no failure is left against an
// address or a barcode; one whose request ended before it was counted
// fails and counts nothing. Before, the give-ups each left a failure
// nobody made, and enough of them, from a busy campus address, would
// pause every sign-in from it. When no request was still running at its
// end (a slow machine, PostgreSQL's retries), the round runs again with
// new patrons and a longer wait.
func TestSignInClientGoneLeavesNoCount(t *testing.T) {
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			cfg := library.DefaultConfig()
			svc := library.NewService(&cfg, storagetest.Open(t, k.Fresh(t)), library.NewHasher(1))
			f := &fixture{t: t, ctx: context.Background(), svc: svc, now: time.Date(2026, 11, 28, 10, 0, 0, 0, cfg.Location())}
			svc.SetClock(func() time.Time { return f.now })
			for round, wait := range []time.Duration{30 * time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond} {
				if late := signInsGivingUp(t, f, round, wait); late > 0 {
					return
				}
			}
			t.Fatal("no sign-in was still running when its request ended: the test proved nothing")
		})
	}
}

// signInsGivingUp is one round of TestSignInClientGoneLeavesNoCount: 8 new
// patrons sign in at once with requests that end after wait. It checks
// that no failure is left and returns how many sign-ins went on past the
// end of their request.
func signInsGivingUp(t *testing.T, f *fixture, round int, wait time.Duration) (late int) {
	var barcodes, addrs []string
	for i := range 8 {
		p := f.patron(fmt.Sprintf("21%02d%04d", round, i), nil)
		f.chosenPIN(p, "reading-room-7")
		barcodes, addrs = append(barcodes, p.Barcode), append(addrs, fmt.Sprintf("10.0.%d.%d", round, i))
	}
	// Connections for all 8 first: opening one to PostgreSQL takes about
	// as long as the requests wait.
	var warm sync.WaitGroup
	for range 8 {
		warm.Go(func() {
			f.svc.Store().View(context.Background(), func(library.Tx) error { time.Sleep(50 * time.Millisecond); return nil })
		})
	}
	warm.Wait()
	var wg sync.WaitGroup
	var mu sync.Mutex
	signedIn := 0
	for i, b := range barcodes {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			_, err := f.svc.SignIn(ctx, b, "reading-room-7", addrs[i])
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				signedIn++
				if ctx.Err() != nil {
					late++
				}
			}
			// An error is a request that ended before it was counted:
			// EUNAVAILABLE, or the database's own give-up.
		})
	}
	wg.Wait()
	t.Logf("requests of %v: %d signed in, %d of them after their request ended; %d gave up before they were counted",
		wait, signedIn, late, len(barcodes)-signedIn)
	err := f.svc.Store().View(context.Background(), func(tx library.Tx) error {
		for i, b := range barcodes {
			for _, key := range []string{"addr:" + addrs[i], "barcode:" + b} {
				n, err := tx.CountFailures(key, f.now.Add(-time.Hour))
				if err != nil {
					return err
				}
				if n != 0 {
					t.Errorf("%d failures left against %s after a right PIN whose client went away", n, key)
					late++ // the round proved its point
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return late
}
