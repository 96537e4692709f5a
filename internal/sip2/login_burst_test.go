package sip2_test

import (
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// loginBurst opens n connections, then sends a 93 Login with the given
// password for the test kiosk's login on each, all released together, and
// returns the replies (or the error each connection met).
func loginBurst(l *testLibrary, n int, password string) []string {
	l.t.Helper()
	conns := make([]*client, n)
	for i := range conns {
		conns[i] = l.dial()
	}
	answers := make([]string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			<-start
			c.nc.SetDeadline(time.Now().Add(120 * time.Second))
			msg := "9300CN" + kioskLogin + "|CO" + password + "|CPMAIN-1F|\r"
			if _, err := c.nc.Write([]byte(msg)); err != nil {
				answers[i] = err.Error()
				return
			}
			s, err := c.r.ReadString('\r')
			if err != nil {
				s = err.Error()
			}
			answers[i] = s
		})
	}
	close(start)
	wg.Wait()
	return answers
}

// auditCount counts the audit entries with the given action, page by page.
func auditCount(l *testLibrary, action string) int {
	l.t.Helper()
	n := 0
	f := library.AuditFilter{Action: action, Limit: library.MaxPageSize}
	for {
		var es []library.AuditEntry
		err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
			var err error
			es, err = tx.SearchAudit(f)
			return err
		})
		if err != nil {
			l.t.Fatal(err)
		}
		n += len(es)
		if len(es) < f.Limit {
			return n
		}
		f.BeforeID = es[len(es)-1].ID
	}
}

// TestSIPLoginBurst proves that a burst of wrong 93 Logins for one login
// name, 120 connections from one address released together, gets no more
// password checks than the allowance (throttle.max_failures, 10): each
// login counts itself as a pending failure in the transaction that reads
// the pause, before its password is checked. The audit log then holds
// exactly 10 sip2.login.failed, exactly 10 argon2id hashes ran, and the
// right password is refused (940, no hashing) while the login is paused;
// on SQLite and PostgreSQL. Before, the locks were read before the check
// and the failure recorded after it, and every login of the burst was
// checked.
func TestSIPLoginBurst(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			// Every connection of the burst waits, not logged in, for the
			// burst to start: the share of such connections must hold them
			// all, or the newest would close the oldest idle ones.
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{MaxBeforeLogin: 128})
			allowance := l.cfg.Throttle.MaxFailures
			before := l.svc.Hasher().Derivations()
			answers := loginBurst(l, 120, "wrong-kiosk-secret")
			for i, a := range answers {
				if a != "940\r" {
					t.Errorf("wrong login %d of the burst: %q, want 940", i+1, a)
				}
			}
			checks := l.svc.Hasher().Derivations() - before
			failed := auditCount(l, "sip2.login.failed")
			t.Logf("a burst of %d wrong logins: %d passwords checked, %d sip2.login.failed in the audit log", len(answers), checks, failed)
			if failed != allowance || checks != int64(allowance) {
				t.Errorf("a burst of %d wrong logins got %d checks and %d sip2.login.failed; want exactly the allowance, %d",
					len(answers), checks, failed, allowance)
			}

			before = l.svc.Hasher().Derivations()
			if got := loginAttempts(l, kioskLogin, kioskPassword, 1); got[0] != "0" {
				t.Errorf("the right password while the login is paused: answered %q, want 0", got[0])
			}
			if d := l.svc.Hasher().Derivations() - before; d != 0 {
				t.Errorf("%d hashes for a login while paused, want none", d)
			}
			l.advance(l.cfg.Throttle.Lockout.D())
			if got := loginAttempts(l, kioskLogin, kioskPassword, 1); got[0] != "1" {
				t.Errorf("the right password after the pause: answered %q, want 1", got[0])
			}
		})
	}
}
