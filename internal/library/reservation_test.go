package library_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// TestLeftoverReservationsExpire proves that reservations a server left
// unsettled when it stopped in the middle of ten checks (ten kiosks
// sharing one SIP2 login, logging in at that instant) never pause the
// login, and stop counting after library.ReservationLife: while they
// count, a right login waits for them rather than being paused (here its
// request ends first: busy, and the login is not paused); once they have
// expired, the right password logs in at once; and they add nothing to a
// later run of wrong passwords, which gets exactly the allowance of
// checks. On SQLite and PostgreSQL. Without the bound, such reservations
// would add up, restart after restart, to a pause of every kiosk.
func TestLeftoverReservationsExpire(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		if _, err := f.svc.AddSIPAccount(f.ctx, library.SIPAccount{Login: "kiosk1", Institution: "HKCT", LoginRequired: true}, "kiosk-secret-1"); err != nil {
			t.Fatal(err)
		}
		allowance := f.svc.Config().Throttle.MaxFailures
		cutOff := func() {
			t.Helper()
			f.update(func(tx library.Tx) error {
				for range allowance {
					if _, err := tx.ReserveFailure("sip2:kiosk1", f.now, f.now.Add(library.ReservationLife)); err != nil {
						return err
					}
				}
				return nil
			})
		}

		cutOff()
		short, cancel := context.WithTimeout(f.ctx, 300*time.Millisecond)
		_, err := f.svc.SIPLoginFrom(short, "kiosk1", "kiosk-secret-1", "192.0.2.7")
		cancel()
		if library.ErrorCode(err) != library.EUNAVAILABLE {
			t.Errorf("the right login while %d reservations count: %v, want EUNAVAILABLE (waiting, not paused)", allowance, err)
		}
		f.now = f.now.Add(library.ReservationLife)
		if _, err := f.svc.SIPLoginFrom(f.ctx, "kiosk1", "kiosk-secret-1", "192.0.2.7"); err != nil {
			t.Fatalf("the right login once the reservations expired: %v", err)
		}

		cutOff()
		f.now = f.now.Add(library.ReservationLife)
		before := f.svc.Hasher().Derivations()
		for i := range allowance {
			if _, err := f.svc.SIPLoginFrom(f.ctx, "kiosk1", "wrong-secret", "192.0.2.7"); !errors.Is(err, library.ErrSIPLoginFailed) {
				t.Fatalf("wrong login %d after expired reservations: %v, want a plain failure", i+1, err)
			}
		}
		var le *library.LockedError
		if _, err := f.svc.SIPLoginFrom(f.ctx, "kiosk1", "kiosk-secret-1", "192.0.2.7"); !errors.As(err, &le) {
			t.Errorf("the right login after %d wrong ones: %v, want paused", allowance, err)
		}
		if d := f.svc.Hasher().Derivations() - before; d != int64(allowance) {
			t.Errorf("%d checks, want the allowance, %d", d, allowance)
		}
	})
}

// TestParallelRightPINsAllSignIn proves that twenty sign-ins with the
// right PIN for one barcode at the same instant (a patron on several
// devices, a class sharing a demonstration account) all succeed: beyond
// the allowance of ten reservations they wait for the checks in flight
// rather than pausing the barcode. On SQLite and PostgreSQL. Before, the
// eleventh saw ten pending failures and paused the barcode.
func TestParallelRightPINsAllSignIn(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.patron("21034567", nil)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		for i := range 20 {
			wg.Go(func() {
				_, err := f.svc.SignIn(f.ctx, "21034567", "21034567", fmt.Sprintf("10.0.0.%d", i+1))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Errorf("%d of 20 right PINs at once failed: %v", len(errs), errs)
		}
	})
}
