package sip2_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// loginAttempts sends 93 Logins with the given login name and password,
// n times, over real connections (a new one whenever the server closes
// one after its failures), and returns the 94 answers' OK flags.
func loginAttempts(l *testLibrary, login, password string, n int) []string {
	l.t.Helper()
	var got []string
	var c *client
	perConn := 0
	for range n {
		if c == nil || perConn == 3 {
			c, perConn = l.dial(), 0
		}
		r := c.do("9300CN" + login + "|CO" + password + "|CPMAIN-1F|")
		if r.code != "94" {
			l.t.Fatalf("login %d: %q, want a 94", len(got), r.raw)
		}
		got = append(got, r.fixed)
		perConn++
	}
	return got
}

// sipAudit returns the audit entries whose action begins with "sip2.login".
func sipAudit(l *testLibrary) []library.AuditEntry {
	l.t.Helper()
	var es []library.AuditEntry
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		var err error
		es, err = tx.SearchAudit(library.AuditFilter{Action: "sip2.login.", Limit: library.MaxPageSize})
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return es
}

// TestSIPLoginThrottle proves that wrong SIP2 login passwords are
// throttled like staff sign-ins, over real TCP connections: after
// throttle.max_failures (10) wrong passwords for one login name, every
// login with that name, even with the right password, is answered 940
// without any argon2id hashing until throttle.lockout has passed; the
// pause is in the audit log, which holds no password and no address.
func TestSIPLoginThrottle(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			allowance := l.cfg.Throttle.MaxFailures
			wrong := "wrong-kiosk-secret"

			for i, ok := range loginAttempts(l, kioskLogin, wrong, allowance) {
				if ok != "0" {
					t.Fatalf("wrong password %d: answered %q, want 0", i+1, ok)
				}
			}
			before := l.svc.Hasher().Derivations()
			for i, ok := range loginAttempts(l, kioskLogin, wrong, 5) {
				if ok != "0" {
					t.Errorf("wrong password %d during the pause: answered %q, want 0", i+1, ok)
				}
			}
			if got := loginAttempts(l, kioskLogin, kioskPassword, 1); got[0] != "0" {
				t.Errorf("the right password during the pause: answered %q, want 0", got[0])
			}
			if d := l.svc.Hasher().Derivations() - before; d != 0 {
				t.Errorf("%d argon2id hashes ran for logins during the pause, want none", d)
			}
			// Another login name from the same address is not paused: the
			// address has failed 10 times of its allowance of 100.
			other, err := l.svc.AddSIPAccount(l.ctx, library.SIPAccount{Login: "gate1", Institution: institution, LoginRequired: true}, "gate-secret-1")
			if err != nil {
				t.Fatal(err)
			}
			if got := loginAttempts(l, other.Login, "gate-secret-1", 1); got[0] != "1" {
				t.Errorf("another login from the same address: answered %q, want 1", got[0])
			}

			es := sipAudit(l)
			var lockouts, failed int
			for _, e := range es {
				switch e.Action {
				case "sip2.login.lockout":
					lockouts++
					if e.Actor != "sip2:"+kioskLogin {
						t.Errorf("lockout recorded by %q, want sip2:%s", e.Actor, kioskLogin)
					}
				case "sip2.login.failed":
					failed++
				}
				text := fmt.Sprintf("%+v", e)
				for _, secret := range []string{wrong, kioskPassword, "127.0.0.1"} {
					if strings.Contains(text, secret) {
						t.Errorf("audit entry holds %q: %s", secret, text)
					}
				}
			}
			if lockouts != 1 || failed != allowance {
				t.Errorf("audit: %d lockouts and %d failures, want 1 and %d", lockouts, failed, allowance)
			}
			for _, secret := range []string{wrong, kioskPassword} {
				if strings.Contains(l.log.String(), secret) {
					t.Errorf("server log holds a password: %s", l.log.String())
				}
			}

			// When the pause ends the right password logs in again.
			l.advance(l.cfg.Throttle.Lockout.D())
			if got := loginAttempts(l, kioskLogin, kioskPassword, 1); got[0] != "1" {
				t.Errorf("the right password after the pause: answered %q, want 1", got[0])
			}
		})
	}
}

// TestSIPLoginThrottlePerAddress proves that wrong logins are counted per
// client address too: throttle.addr_max_failures wrong logins spread over
// many login names (none used twice) pause every login from the address,
// the right one included, until the pause ends.
func TestSIPLoginThrottlePerAddress(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			// A smaller allowance keeps the test short; it is read at each
			// login, and set before the first.
			l.cfg.Throttle.AddrMaxFailures = 12
			for i := range l.cfg.Throttle.AddrMaxFailures {
				if got := loginAttempts(l, fmt.Sprintf("nobody%02d", i), "guess", 1); got[0] != "0" {
					t.Fatalf("unknown login %d: answered %q, want 0", i, got[0])
				}
			}
			before := l.svc.Hasher().Derivations()
			if got := loginAttempts(l, kioskLogin, kioskPassword, 1); got[0] != "0" {
				t.Errorf("the right login from a paused address: answered %q, want 0", got[0])
			}
			if d := l.svc.Hasher().Derivations() - before; d != 0 {
				t.Errorf("%d hashes for a login from a paused address, want none", d)
			}
			addrPauses := 0
			for _, e := range sipAudit(l) {
				if e.Action == "sip2.login.lockout.addr" {
					addrPauses++
				}
				if strings.Contains(fmt.Sprintf("%+v", e), "nobody") {
					t.Errorf("an unknown login name was recorded: %+v", e)
				}
			}
			if addrPauses != 1 {
				t.Errorf("%d address pauses in the audit log, want 1", addrPauses)
			}
			l.advance(l.cfg.Throttle.Lockout.D())
			if got := loginAttempts(l, kioskLogin, kioskPassword, 1); got[0] != "1" {
				t.Errorf("the right login after the pause: answered %q, want 1", got[0])
			}
		})
	}
}

// TestSIPLoginManyKiosksAtOnce proves that kiosks sharing one login name
// and logging in at the same instant (as they all do when the server
// restarts) all get in: the failures each login reserves while its
// password is checked must never add up to a pause.
func TestSIPLoginManyKiosksAtOnce(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			conns := make([]*client, 50)
			for i := range conns {
				conns[i] = l.dial()
			}
			answers := make([]string, len(conns))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, c := range conns {
				wg.Go(func() {
					<-start
					c.nc.SetDeadline(time.Now().Add(60 * time.Second))
					msg := "9300CN" + kioskLogin + "|CO" + kioskPassword + "|CPMAIN-1F|\r"
					if _, err := c.nc.Write([]byte(msg)); err != nil {
						answers[i] = err.Error()
						return
					}
					answers[i], _ = c.r.ReadString('\r')
				})
			}
			close(start)
			wg.Wait()
			for i, a := range answers {
				if a != "941\r" {
					t.Errorf("kiosk %d of %d logging in at once: %q, want 941", i, len(conns), a)
				}
			}
		})
	}
}
