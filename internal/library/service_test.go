package library_test

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// fixture is a real library (SQLite or PostgreSQL) with a service whose
// clock the test sets.
type fixture struct {
	t   *testing.T
	ctx context.Context
	svc *library.Service
	key *library.SecretKey // the library's secret key, which seals two-factor secrets
	now time.Time
}

// eachFixture runs fn as a subtest on a fresh library on each kind of
// database: SQLite, and PostgreSQL when CARREL_TEST_POSTGRES is set.
func eachFixture(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			fn(t, newFixtureOn(t, storagetest.Open(t, k.Fresh(t))))
		})
	}
}

// newFixtureOn is a library over the given store.
func newFixtureOn(t *testing.T, db library.Store) *fixture {
	t.Helper()
	cfg := library.DefaultConfig()
	f := &fixture{t: t, ctx: context.Background(), svc: library.NewService(&cfg, db, library.NewHasher(0)), key: newSecretKey(t)}
	f.svc.UseSecretKey(f.key)
	f.now = time.Date(2026, 11, 28, 10, 0, 0, 0, cfg.Location())
	f.svc.SetClock(func() time.Time { return f.now })
	return f
}

// newSecretKey returns a new random secret key.
func newSecretKey(t *testing.T) *library.SecretKey {
	t.Helper()
	raw := make([]byte, library.SecretKeySize)
	rand.Read(raw)
	k, err := library.NewSecretKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (f *fixture) update(fn func(tx library.Tx) error) {
	f.t.Helper()
	if err := f.svc.Store().Update(f.ctx, fn); err != nil {
		f.t.Fatal(err)
	}
}

// patron stores a registered student on the barcode preset, then applies mutate.
func (f *fixture) patron(barcode string, mutate func(*library.Patron)) library.Patron {
	f.t.Helper()
	p := library.Patron{
		Barcode: barcode, Category: "student", Name: "Chan Tai Man",
		RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31),
		PIN: library.PINRecord{Kind: library.PINPreset},
	}
	if mutate != nil {
		mutate(&p)
	}
	f.update(func(tx library.Tx) error { return tx.CreatePatron(&p) })
	return p
}

func (f *fixture) chosenPIN(p library.Patron, pin string) {
	f.t.Helper()
	h, err := f.svc.Hasher().Hash(f.ctx, pin)
	if err != nil {
		f.t.Fatal(err)
	}
	f.update(func(tx library.Tx) error {
		return tx.SetPIN(p.ID, library.PINRecord{Kind: library.PINChosen, Hash: h, SetAt: f.now})
	})
}

func (f *fixture) item(barcode string) library.Item {
	f.t.Helper()
	it := library.Item{Barcode: barcode, Title: "Introduction to Algorithms", Author: "Cormen, Thomas H.", CallNumber: "QA76.6 .C662 2009", Location: "Main Library 3/F"}
	f.update(func(tx library.Tx) error { return tx.CreateItem(&it) })
	return it
}

// loan lends it to p as of checkedOut with the given due time.
func (f *fixture) loan(p library.Patron, it library.Item, checkedOut, due time.Time, renewals int) library.Loan {
	f.t.Helper()
	l := library.Loan{PatronID: p.ID, Item: it, CheckedOutAt: checkedOut, DueAt: due, Renewals: renewals}
	f.update(func(tx library.Tx) error { return tx.CreateLoan(&l) })
	return l
}

func TestSignInBarcodePresetThenChangePIN(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		p := f.patron("21034567", nil)
		other, err := f.svc.SignIn(f.ctx, "2103 4567", "21034567", "10.0.0.1")
		if err != nil {
			t.Fatalf("sign in with the barcode preset: %v", err)
		}
		if !other.Patron.PIN.MustChange() {
			t.Fatal("a preset PIN must be changed after sign-in")
		}
		in, err := f.svc.SignIn(f.ctx, "21034567", "21034567", "10.0.0.2")
		if err != nil {
			t.Fatal(err)
		}
		if in.Token == other.Token {
			t.Fatal("two sign-ins gave the same session token")
		}

		refusals := []struct {
			old, new, confirm string
			want              library.PINProblem
		}{
			{"21034567", "", "", library.PINMissing},
			{"21034567", "quiet-reading", "quiet-readinG", library.PINMismatch},
			{"21034567", "short", "short", library.PINTooShort},
			{"21034567", "password", "password", library.PINCommon},
			{"21034567", "my21034567", "my21034567", library.PINContainsBarcode},
			{"21034567", "chantaiman!", "chantaiman!", library.PINContainsName},
			// A wrong old PIN is not among them: this session signed in with
			// the barcode preset, whose forced change does not check it
			// (TestForcedPresetChangeSkipsOldPIN).
		}
		for _, r := range refusals {
			err := f.svc.ChangePIN(f.ctx, in.Session, r.old, r.new, r.confirm, "")
			var pe *library.PolicyError
			if !errors.As(err, &pe) || pe.Problem != r.want {
				t.Errorf("ChangePIN(%q, %q, %q) = %v, want problem %q", r.old, r.new, r.confirm, err, r.want)
			}
		}
		if err := f.svc.ChangePIN(f.ctx, in.Session, "21034567", "quiet-reading", "quiet-reading", ""); err != nil {
			t.Fatalf("ChangePIN: %v", err)
		}
		if _, _, err := f.svc.Authenticate(f.ctx, other.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("the other session survived the PIN change: %v", err)
		}
		if _, got, err := f.svc.Authenticate(f.ctx, in.Token); err != nil || got.PIN.MustChange() {
			t.Errorf("the changing session: err %v, must change %v", err, got.PIN.MustChange())
		}
		if _, err := f.svc.SignIn(f.ctx, "21034567", "21034567", "10.0.0.1"); !errors.Is(err, library.ErrSignInFailed) {
			t.Errorf("the preset still works after the change: %v", err)
		}
		if _, err := f.svc.SignIn(f.ctx, "21034567", "quiet-reading", "10.0.0.1"); err != nil {
			t.Errorf("the new PIN: %v", err)
		}
		_ = p
	})
}

func TestHKIDPresetIsReplacedByChosenPIN(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		preset, err := library.HKIDPreset("A123456(3)")
		if err != nil {
			t.Fatal(err)
		}
		h, err := f.svc.Hasher().Hash(f.ctx, preset)
		if err != nil {
			t.Fatal(err)
		}
		p := f.patron("11223344", func(p *library.Patron) {
			p.RegisteredOn = library.NewDate(2017, 9, 1)
			p.PIN = library.PINRecord{Kind: library.PINPreset, Hash: h}
		})
		in, err := f.svc.SignIn(f.ctx, "11223344", "a12345", "10.0.0.1")
		if err != nil {
			t.Fatalf("HKID preset typed in lower case: %v", err)
		}
		err = f.svc.ChangePIN(f.ctx, in.Session, "A12345", "xA12345yz", "xA12345yz", "")
		var pe *library.PolicyError
		if !errors.As(err, &pe) || pe.Problem != library.PINContainsPreset {
			t.Errorf("a new PIN containing the preset: %v", err)
		}
		if err := f.svc.ChangePIN(f.ctx, in.Session, "A12345", "harbour lights", "harbour lights", ""); err != nil {
			t.Fatal(err)
		}
		var got library.Patron
		f.update(func(tx library.Tx) error { got, err = tx.PatronByID(p.ID); return err })
		if got.PIN.Kind != library.PINChosen || got.PIN.Hash == h {
			t.Errorf("after the change the PIN record is %q and the HKID-derived hash is still kept: %v", got.PIN.Kind, got.PIN.Hash == h)
		}
	})
}

func TestSignInFailuresAreAlike(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.patron("10000001", func(p *library.Patron) { p.RegisteredOn = library.Date{} })            // card holder
		f.patron("10000002", func(p *library.Patron) { p.BlockedReason = "unreturned items" })       // blocked
		f.patron("10000003", func(p *library.Patron) { p.ExpiresOn = library.NewDate(2025, 8, 31) }) // expired
		for _, c := range []struct{ barcode, pin string }{
			{"99999999", "99999999"}, // unknown
			{"10000001", "10000001"}, // card holder with the right preset
			{"10000002", "nope-nope"},
			{"10000003", "nope-nope"},
		} {
			if _, err := f.svc.SignIn(f.ctx, c.barcode, c.pin, "10.0.0.9"); err != library.ErrSignInFailed {
				t.Errorf("SignIn(%s) = %v, want ErrSignInFailed", c.barcode, err)
			}
		}
		// Blocked and expired patrons with the right PIN do sign in.
		for _, b := range []string{"10000002", "10000003"} {
			if _, err := f.svc.SignIn(f.ctx, b, b, "10.0.0.9"); err != nil {
				t.Errorf("SignIn(%s) with the right PIN: %v", b, err)
			}
		}
	})
}

func TestThrottleLocksAndExpires(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.patron("21034567", nil)
		for i := 0; i < 10; i++ {
			if _, err := f.svc.SignIn(f.ctx, "21034567", "wrong-pin", "10.0.0.1"); err != library.ErrSignInFailed {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		_, err := f.svc.SignIn(f.ctx, "21034567", "21034567", "10.0.0.2")
		var le *library.LockedError
		if !errors.As(err, &le) {
			t.Fatalf("the right PIN after 10 failures: %v, want LockedError", err)
		}
		if want := f.now.Add(15 * time.Minute); !le.Until.Equal(want) {
			t.Errorf("locked until %v, want %v", le.Until, want)
		}
		// An unknown barcode locks the same way: the lock says nothing of existence.
		for i := 0; i < 10; i++ {
			f.svc.SignIn(f.ctx, "88888888", "wrong-pin", "10.0.0.3")
		}
		if _, err := f.svc.SignIn(f.ctx, "88888888", "x", "10.0.0.4"); library.ErrorCode(err) != library.ELOCKED {
			t.Errorf("unknown barcode after 10 failures: %v", err)
		}
		f.now = f.now.Add(15*time.Minute + time.Second)
		if _, err := f.svc.SignIn(f.ctx, "21034567", "21034567", "10.0.0.2"); err != nil {
			t.Errorf("after the lockout ended: %v", err)
		}
	})
}

func TestThrottleHoldsUnderParallelAttempts(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.patron("21034567", nil)
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[string]int{}
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.SignIn(f.ctx, "21034567", "wrong-pin", "10.0.0.1")
				mu.Lock()
				counts[library.ErrorCode(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if counts[library.EUNAUTHORIZED] != 10 || counts[library.ELOCKED] != 10 {
			t.Errorf("20 parallel wrong PINs: %v, want exactly 10 tries and 10 refused", counts)
		}
	})
}

func TestThrottlePerAddress(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		cfg := f.svc.Config()
		cfg.Throttle.AddrMaxFailures = 5
		for i := 0; i < 5; i++ {
			f.svc.SignIn(f.ctx, "5000000"+string(rune('0'+i)), "wrong-pin", "10.9.9.9")
		}
		if _, err := f.svc.SignIn(f.ctx, "60000000", "x", "10.9.9.9"); library.ErrorCode(err) != library.ELOCKED {
			t.Errorf("one address spraying barcodes: %v, want locked", err)
		}
		if _, err := f.svc.SignIn(f.ctx, "60000000", "x", "10.1.1.1"); library.ErrorCode(err) != library.EUNAUTHORIZED {
			t.Errorf("another address: %v, want a plain failure", err)
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.patron("21034567", nil)
		in, err := f.svc.SignIn(f.ctx, "21034567", "21034567", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ { // active every 9 minutes: stays signed in
			f.now = f.now.Add(9 * time.Minute)
			if _, _, err := f.svc.Authenticate(f.ctx, in.Token); err != nil {
				t.Fatalf("active session after %d steps: %v", i, err)
			}
		}
		f.now = f.now.Add(10 * time.Minute)
		if _, _, err := f.svc.Authenticate(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("after 10 idle minutes: %v", err)
		}
		in, _ = f.svc.SignIn(f.ctx, "21034567", "21034567", "10.0.0.1")
		for f.now.Before(in.Session.ExpiresAt) {
			f.now = f.now.Add(5 * time.Minute)
			_, _, err = f.svc.Authenticate(f.ctx, in.Token)
		}
		if !errors.Is(err, library.ErrNoSession) {
			t.Errorf("after the absolute timeout: %v", err)
		}
		in, _ = f.svc.SignIn(f.ctx, "21034567", "21034567", "10.0.0.1")
		if err := f.svc.SignOut(f.ctx, in.Token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(f.ctx, in.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("after sign-out: %v", err)
		}
	})
}
