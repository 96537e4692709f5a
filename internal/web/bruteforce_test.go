package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/cli"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
	"github.com/pquerna/otp/totp"
)

// The screen messages a kiosk shows for a wrong PIN and a paused barcode.
const (
	sipWrong  = "The patron barcode or PIN is not right."
	sipPaused = "Too many attempts failed: sign-in is paused until 10:15."
)

// TestBruteForceWebAndSIP2Mixed proves the allowance of 10 failures in 15
// minutes is one per barcode across the web and SIP2: five wrong PINs on
// each, alternating, pause the barcode on both, even for the right PIN;
// and failures more than 15 minutes old no longer count.
func TestBruteForceWebAndSIP2Mixed(t *testing.T) {
	l := newLibrary(t, nil)
	k := dialKiosk(t, l.startSIP2())
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")
	max := l.cfg.Throttle.MaxFailures
	if max != 10 || l.cfg.Throttle.Window.D() != 15*time.Minute {
		t.Fatalf("default allowance %d in %v, want 10 in 15m", max, l.cfg.Throttle.Window.D())
	}
	for i := range max {
		if i%2 == 0 {
			if res := l.client().signIn(p.Barcode, "wrong-pin-1"); res.status != http.StatusUnauthorized {
				t.Fatalf("failure %d, on the web: status %d, want 401", i+1, res.status)
			}
		} else if cq, af := k.patronStatus(p.Barcode, "wrong-pin-1"); cq != "N" || af != sipWrong {
			t.Fatalf("failure %d, over SIP2: CQ %q, AF %q", i+1, cq, af)
		}
	}
	if res := l.client().signIn(p.Barcode, "reading-room-7"); res.status != http.StatusTooManyRequests {
		t.Errorf("the right PIN on the web after 5+5 failures: status %d, want 429", res.status)
	}
	if cq, af := k.patronStatus(p.Barcode, "reading-room-7"); cq != "N" || af != sipPaused {
		t.Errorf("the right PIN over SIP2 after 5+5 failures: CQ %q, AF %q; want N, %q", cq, af, sipPaused)
	}

	// Nine failures, then a tenth sixteen minutes later: no pause.
	q := l.patron("24031588", "Wong Ka Yan", nil)
	l.chosenPIN(q, "quiet-floor-77")
	for i := range max - 1 {
		if i%2 == 0 {
			l.client().signIn(q.Barcode, "wrong-pin-1")
		} else {
			k.patronStatus(q.Barcode, "wrong-pin-1")
		}
	}
	l.now = l.now.Add(16 * time.Minute)
	if cq, af := k.patronStatus(q.Barcode, "wrong-pin-1"); cq != "N" || af != sipWrong {
		t.Errorf("a failure 16 minutes after nine others: CQ %q, AF %q; want a plain failure", cq, af)
	}
	l.client().mustSignIn(q.Barcode, "quiet-floor-77", "/account")
}

// attemptTally counts the answers of attempts made at once.
type attemptTally struct {
	mu            sync.Mutex
	tries, paused int
	other         []string
}

func (a *attemptTally) add(tried, paused bool, what string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case tried:
		a.tries++
	case paused:
		a.paused++
	default:
		a.other = append(a.other, what)
	}
}

// TestBruteForceParallel proves 20 wrong PINs sent at once for one
// barcode get exactly the allowance of 10 tries, on SQLite and
// PostgreSQL: all 20 on the web, and 10 on the web with 10 over SIP2.
func TestBruteForceParallel(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l, _ := newLibraryOn(t, target.Fresh(t))
			sipAddr := l.startSIP2()
			for _, mixed := range []bool{false, true} {
				barcode := map[bool]string{false: "24062953", true: "24031588"}[mixed]
				p := l.patron(barcode, "Patron "+barcode, nil)
				l.chosenPIN(p, "reading-room-7")
				// Every client is connected and logged in before the race starts.
				var webs []*client
				var kiosks []*kiosk
				for i := range 20 {
					if mixed && i%2 == 1 {
						kiosks = append(kiosks, dialKiosk(t, sipAddr))
					} else {
						webs = append(webs, l.client())
					}
				}
				var tally attemptTally
				var wg sync.WaitGroup
				start := make(chan struct{})
				for _, c := range webs {
					wg.Go(func() {
						<-start
						res := c.signIn(p.Barcode, "wrong-pin-1")
						tally.add(res.status == http.StatusUnauthorized, res.status == http.StatusTooManyRequests, fmt.Sprint("web ", res.status))
					})
				}
				for _, k := range kiosks {
					wg.Go(func() {
						<-start
						cq, af := k.patronStatus(p.Barcode, "wrong-pin-1")
						tally.add(cq == "N" && af == sipWrong, cq == "N" && af == sipPaused, "SIP2 "+cq+" "+af)
					})
				}
				close(start)
				wg.Wait()
				if tally.tries != 10 || tally.paused != 10 || len(tally.other) > 0 {
					t.Errorf("20 wrong PINs at once (%d web, %d SIP2): %d tries, %d paused, other answers %q; want exactly 10 tries",
						len(webs), len(kiosks), tally.tries, tally.paused, tally.other)
				}
				if res := l.client().signIn(p.Barcode, "reading-room-7"); res.status != http.StatusTooManyRequests {
					t.Errorf("the right PIN afterwards: status %d, want 429", res.status)
				}
			}
		})
	}
}

// TestBruteForcePauseEnds proves a pause ends on its own when its time is
// up, to the second, for a patron's barcode and for one nobody has: with
// the defaults (15 minutes) and with a pause shorter than the window
// (1 minute in a 15-minute window), where the failures that caused it
// must not pause the barcode again.
func TestBruteForcePauseEnds(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lockout time.Duration
	}{
		{"default 15 minutes", 15 * time.Minute},
		{"1 minute, shorter than the window", time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLibrary(t, func(c *library.Config) { c.Throttle.Lockout = library.Duration(tc.lockout) })
			p := l.patron("24062953", "Chan Tai Man", nil)
			l.chosenPIN(p, "reading-room-7")
			for _, b := range []string{p.Barcode, "99999999"} {
				for range 10 {
					l.client().signIn(b, "wrong-pin-1")
				}
			}
			start := l.now
			l.now = start.Add(tc.lockout - time.Second)
			for _, b := range []string{p.Barcode, "99999999"} {
				if res := l.client().signIn(b, "reading-room-7"); res.status != http.StatusTooManyRequests {
					t.Errorf("%s a second before the pause ends: status %d, want 429", b, res.status)
				}
			}
			l.now = start.Add(tc.lockout + time.Second)
			l.client().mustSignIn(p.Barcode, "reading-room-7", "/account")
			if res := l.client().signIn("99999999", "wrong-pin-1"); res.status != http.StatusUnauthorized {
				t.Errorf("the unknown barcode a second after the pause ends: status %d, want 401", res.status)
			}
		})
	}
}

// TestBruteForceStaffUnlock proves a staff member ends a pause at once,
// from the staff desk (a POST with its form) and with `carrel patron
// unlock` on the same database, and that the unlock forgets the failures:
// one more wrong PIN does not pause the barcode again.
func TestBruteForceStaffUnlock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "carrel.db")
	l, _ := newLibraryOn(t, path)
	desk := l.staffClient(l.staff("dee", library.RoleDesk))
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")
	pause := func() {
		t.Helper()
		for range 10 {
			l.client().signIn(p.Barcode, "wrong-pin-1")
		}
		if res := l.client().signIn(p.Barcode, "reading-room-7"); res.status != http.StatusTooManyRequests {
			t.Fatalf("after 10 failures: status %d, want 429", res.status)
		}
	}
	unpaused := func(how string) {
		t.Helper()
		if res := l.client().signIn(p.Barcode, "wrong-pin-1"); res.status != http.StatusUnauthorized {
			t.Errorf("after %s, a wrong PIN: status %d, want 401 (the failures forgotten)", how, res.status)
		}
		l.client().mustSignIn(p.Barcode, "reading-room-7", "/account")
	}

	pause()
	purl := fmt.Sprintf("/staff/patrons/%d", p.ID)
	page := desk.get(purl)
	mustContain(t, text(page.body), "paused after failed sign-ins, until 10:15")
	res := desk.submit(page.body, purl+"/unlock")
	if res.status != http.StatusSeeOther {
		t.Fatalf("desk unlock: status %d\n%s", res.status, text(res.body))
	}
	unpaused("the desk's unlock")

	pause()
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), []string{"patron", "unlock", p.Barcode, "--db", path}, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("carrel patron unlock: exit %d: %s%s", code, out.String(), errOut.String())
	}
	unpaused("carrel patron unlock")
}

// TestBruteForcePerAddress proves one client address cannot spray many
// barcodes: after 100 failures (the default) on 100 different barcodes,
// nothing more is tried from that address, not even a right PIN, while
// the same sign-in from another address goes through.
func TestBruteForcePerAddress(t *testing.T) {
	l := newLibrary(t, nil)
	if n := l.cfg.Throttle.AddrMaxFailures; n != 100 {
		t.Fatalf("default addr_max_failures %d, want 100", n)
	}
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")
	sprayer := l.clientFrom("127.0.0.1")
	for i := range 100 {
		if res := sprayer.signIn(fmt.Sprintf("3000%04d", i), "123456"); res.status != http.StatusUnauthorized {
			t.Fatalf("barcode %d from one address: status %d, want 401", i+1, res.status)
		}
	}
	res := sprayer.signIn(p.Barcode, "reading-room-7")
	if res.status != http.StatusTooManyRequests {
		t.Errorf("a right PIN from the spraying address: status %d, want 429", res.status)
	}
	mustContain(t, text(res.body), "Sign-in is paused")
	l.clientFrom("127.0.0.2").mustSignIn(p.Barcode, "reading-room-7", "/account")
}

// TestBruteForceStaffCode proves a staff member's two-factor codes cannot
// be guessed without end by someone who has the password: ten wrong codes
// pause the account, so the right code, and the right password too, get
// 429 with Retry-After until the pause ends, and the codes are counted
// against the same allowance as the password.
func TestBruteForceStaffCode(t *testing.T) {
	l := newLibrary(t, nil)
	dee := l.staff("dee", library.RoleDesk)
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	l.setTOTP(dee.ID, secret)
	// The codes of the steps around now are right: a guess is none of them.
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		code, err := totp.GenerateCode(secret, l.now.Add(d))
		if err != nil {
			t.Fatal(err)
		}
		valid[code] = true
	}
	var wrong []string
	for i := 0; len(wrong) < l.cfg.Throttle.MaxFailures; i++ {
		if g := fmt.Sprintf("%06d", i); !valid[g] {
			wrong = append(wrong, g)
		}
	}

	c := l.client()
	c.mustStaffSignInCode(t, "dee", deskPassword)
	page := c.get("/staff/login/code")
	for i, g := range wrong {
		if res := c.submit(page.body, "/staff/login/code", "code", g); res.status != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: status %d, want 401", i+1, res.status)
		}
	}
	right, err := totp.GenerateCode(secret, l.now)
	if err != nil {
		t.Fatal(err)
	}
	res := c.submit(page.body, "/staff/login/code", "code", right)
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
		t.Errorf("the right code after %d wrong ones: status %d, Retry-After %q; want 429 with Retry-After",
			len(wrong), res.status, res.header.Get("Retry-After"))
	}
	if res := l.client().staffSignIn("dee", deskPassword); res.status != http.StatusTooManyRequests {
		t.Errorf("the right password after %d wrong codes: status %d, want 429", len(wrong), res.status)
	}
	if res := c.get("/staff"); res.status != http.StatusSeeOther {
		t.Errorf("the desk after the pause began: status %d, want a redirect to sign in", res.status)
	}
}
