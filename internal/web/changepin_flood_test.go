package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// TestChangePasswordFloodLeavesSignInServed proves that one signed-in
// session cannot take the hashing line from everyone else: it posts wrong
// old PINs to Change Password from 48 goroutines at once, more than the
// whole line (2 slots on two CPUs and a queue of 30; the share of one
// client is then 8), while 12
// patrons, each from an address of their own (through a trusted proxy's
// X-Forwarded-For), sign in one after another. Every genuine sign-in is
// served (303) within a few tries, and the flood is turned away as busy
// (503) beyond its share of the line. The throttle's allowances are raised
// so that the flood's wrong PINs never pause its barcode or address: what
// is tested is the hashing line, not the throttle. Counts only, no timing.
// Before, the flood filled the line and genuine sign-ins got 503.
func TestChangePasswordFloodLeavesSignInServed(t *testing.T) {
	l := newLibrary(t, func(c *library.Config) {
		c.TrustedProxies = []string{"127.0.0.0/8"}
		c.Throttle.MaxFailures, c.Throttle.AddrMaxFailures = 1000000, 1000000
		c.Limits.SignInQueue = 30
	})
	const genuine, tries, flood = 12, 3, 48
	for i := range genuine {
		p := l.patron(fmt.Sprintf("2850%04d", i), fmt.Sprint("Patron ", i), nil)
		l.chosenPIN(p, "reading-room-7")
	}
	attacker := l.patron("24062953", "Flood Patron", nil)
	l.chosenPIN(attacker, "quiet-floor-77")
	flooder := l.client()
	flooder.header.Set("X-Forwarded-For", "192.0.2.66")
	flooder.mustSignIn(attacker.Barcode, "quiet-floor-77", "/account")
	page := flooder.get("/account/password")
	body := url.Values{"csrf": {csrf(t, page.body)}, "old_pin": {"wrong-pin-1"},
		"new_pin": {"lantern-by-the-pier-9"}, "confirm_pin": {"lantern-by-the-pier-9"}}.Encode()

	var stop atomic.Bool
	var checked, busy, other atomic.Int64
	var wg sync.WaitGroup
	for range flood {
		wg.Go(func() {
			for !stop.Load() {
				req, _ := http.NewRequest(http.MethodPost, l.url+"/account/password", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", "192.0.2.66")
				res, err := flooder.c.Do(req)
				if err != nil {
					other.Add(1)
					continue
				}
				res.Body.Close()
				switch res.StatusCode {
				case http.StatusUnprocessableEntity:
					checked.Add(1)
				case http.StatusServiceUnavailable:
					busy.Add(1)
				default:
					other.Add(1)
				}
			}
		})
	}
	// Wait until the flood has reached the hashing line.
	for checked.Load()+busy.Load() < flood {
		time.Sleep(10 * time.Millisecond)
	}

	servedFirst, served := 0, 0
	for i := range genuine {
		c := l.client()
		c.header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
		for try := range tries {
			res := c.signIn(fmt.Sprintf("2850%04d", i), "reading-room-7")
			if res.status == http.StatusSeeOther && res.location() == "/account" {
				served++
				if try == 0 {
					servedFirst++
				}
				break
			}
			if res.status != http.StatusServiceUnavailable {
				t.Errorf("genuine sign-in %d: status %d, want 303 (or 503 busy)", i, res.status)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	stop.Store(true)
	wg.Wait()
	// Connections the flood dialled but never used would hold the server's
	// shutdown for 5 s.
	flooder.c.CloseIdleConnections()
	t.Logf("while one session flooded Change Password (%d checked, %d busy, %d other): %d of %d genuine sign-ins served at the first try, %d within %d tries",
		checked.Load(), busy.Load(), other.Load(), servedFirst, genuine, served, tries)
	if served != genuine {
		t.Errorf("%d of %d genuine sign-ins served within %d tries while one session flooded Change Password, want all", served, genuine, tries)
	}
	if busy.Load() == 0 {
		t.Errorf("the flood was never turned away as busy (%d checked): it was not held to its share of the line", checked.Load())
	}
	if other.Load() != 0 {
		t.Errorf("%d answers to the flood were neither 422 nor 503", other.Load())
	}
}
