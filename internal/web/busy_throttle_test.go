package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
	"github.com/carrel-library/carrel/internal/web"
)

// TestBusySignInCountsNothing proves that a sign-in turned away because
// PIN hashing is busy (503, Retry-After) counts nothing against the
// barcode, the staff username or the client address: its PIN was never
// checked. A library configured with "limits": {"sign_in_queue": 1} is
// flooded with wrong PINs for one barcode (then wrong passwords for one
// desk account) until at least the allowance of failures (10) was turned
// away as busy. The throttle then holds exactly one failure per attempt
// that was checked (401), and the right PIN or password still signs in.
func TestBusySignInCountsNothing(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			cfg := library.DefaultConfig()
			cfg.Limits.SignInQueue = 1
			if err := cfg.Prepare(); err != nil {
				t.Fatal(err)
			}
			svc := library.NewService(&cfg, storagetest.Open(t, target.Fresh(t)), library.NewHasher(0))
			l := &testLibrary{t: t, ctx: context.Background(), cfg: &cfg, svc: svc}
			l.now = today.Time(cfg.Location()).Add(10 * time.Hour)
			svc.SetClock(func() time.Time { return l.now })
			srv, err := web.New(svc, web.Options{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(testLog{t}, nil))})
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Open(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Close(ctx)
			})
			l.url = srv.URL()

			p := l.patron("24070001", "Flood Patron", nil)
			l.chosenPIN(p, "reading-room-7")
			l.staff("desk01", library.RoleDesk)

			allowance := cfg.Throttle.MaxFailures
			addrChecked := 0
			for _, e := range []struct {
				path, key    string
				wrong, right url.Values
				want         string // where the right one leads
			}{
				{"/account/login", "barcode:" + p.Barcode,
					url.Values{"barcode": {p.Barcode}, "pin": {"wrong-pin-1"}},
					url.Values{"barcode": {p.Barcode}, "pin": {"reading-room-7"}}, "/account"},
				{"/staff/login", "staff:desk01",
					url.Values{"username": {"desk01"}, "password": {"wrong-password-1"}},
					url.Values{"username": {"desk01"}, "password": {deskPassword}}, "/staff"},
			} {
				busy, checked, paused := floodWrong(t, l.url+e.path, e.wrong, allowance)
				addrChecked += checked
				t.Logf("%s: %d wrong attempts turned away as busy, %d checked, %d refused as paused", e.path, busy, checked, paused)
				if paused > 0 && checked < allowance {
					t.Errorf("%s: the flood paused the account after %d checked attempts (allowance %d): attempts turned away as busy counted", e.path, checked, allowance)
					continue
				}
				if busy < allowance {
					t.Errorf("%s: only %d attempts turned away as busy with a queue of 1; the flood proves nothing", e.path, busy)
					continue
				}
				if got := failures(l, e.key); got != checked {
					t.Errorf("%s: %d failures counted for the account, want %d (the attempts checked; %d turned away as busy count nothing)",
						e.path, got, checked, busy)
				}
				if got := failures(l, "addr:127.0.0.1"); got != addrChecked {
					t.Errorf("%s: %d failures counted for the address, want %d", e.path, got, addrChecked)
				}
				if checked >= allowance {
					t.Logf("%s: %d of the flood were checked, reaching the allowance: the pause is deserved", e.path, checked)
					continue
				}
				res := l.client().post(e.path, e.right)
				if res.status != http.StatusSeeOther || res.location() != e.want {
					t.Errorf("%s: the right one after the flood got %d to %q, want 303 to %s (not paused)", e.path, res.status, res.location(), e.want)
				}
			}
		})
	}
}

// floodWrong sends wrong sign-ins to u in waves of 20 at once until at least
// want were turned away as busy (503 with Retry-After), or 10 waves. It
// returns how many were busy, how many were checked (401) and how many
// were refused as paused (429); any other answer fails the test.
func floodWrong(t *testing.T, u string, form url.Values, want int) (busy, checked, paused int) {
	t.Helper()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body := form.Encode()
	for wave := 0; wave < 10 && busy < want; wave++ {
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 20 {
			wg.Go(func() {
				<-start
				res, err := hc.Post(u, "application/x-www-form-urlencoded", strings.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				mu.Lock()
				defer mu.Unlock()
				switch {
				case res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") != "":
					busy++
				case res.StatusCode == http.StatusUnauthorized:
					checked++
				case res.StatusCode == http.StatusTooManyRequests:
					paused++
				default:
					t.Errorf("a wrong sign-in in the flood got %d, want 401, 429 or 503", res.StatusCode)
				}
			})
		}
		close(start)
		wg.Wait()
	}
	return busy, checked, paused
}

// failures reads how many failed sign-ins the throttle holds for key.
func failures(l *testLibrary, key string) int {
	l.t.Helper()
	var n int
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		var err error
		n, err = tx.CountFailures(key, l.now.Add(-24*time.Hour))
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return n
}
