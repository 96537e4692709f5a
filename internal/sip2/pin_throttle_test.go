package sip2_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// loginAs opens a connection and logs in with the given SIP2 account.
func (l *testLibrary) loginAs(login, password string) *client {
	l.t.Helper()
	c := l.dial()
	if got := c.do("9300CN" + login + "|CO" + password + "|CPMAIN-2F|"); got.code != "94" || got.fixed != "1" {
		l.t.Fatalf("login as %s: %q", login, got.raw)
	}
	return c
}

// failuresOf reads how many failed checks the throttle holds for key.
func failuresOf(l *testLibrary, key string) int {
	l.t.Helper()
	var n int
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		var err error
		n, err = tx.CountFailures(key, l.clock().Add(-l.cfg.Throttle.Window.D()))
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return n
}

// TestSIP2PINChecksPausedPerKioskLogin proves that a kiosk account's
// patron-PIN checks are counted per kiosk login, with the per-address
// allowance (throttle.addr_max_failures, made 12 here to keep the test
// short), as the web counts per client address: one kiosk login trying
// one wrong PIN on many barcodes (none of them reaching its own allowance
// of 10) is paused at the allowance, for every barcode and even for a
// right PIN, with no hashing, until throttle.lockout has passed; another
// kiosk login is not paused. The pause is in the audit log, under the
// kiosk's name, without any barcode, patron, PIN or address. On SQLite and
// PostgreSQL, over real TCP connections. Before, the kiosk's PIN checks
// had no limit but each barcode's.
func TestSIP2PINChecksPausedPerKioskLogin(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			l.cfg.Throttle.AddrMaxFailures = 12
			p := l.patron("27300001", "Kiosk Patron", nil)
			l.chosenPIN(p, "reading-room-7")
			if _, err := l.svc.AddSIPAccount(l.ctx, library.SIPAccount{Login: "kiosk2", Institution: institution, LoginRequired: true}, "kiosk-secret-2"); err != nil {
				t.Fatal(err)
			}
			sprayer, other := l.kiosk(), l.loginAs("kiosk2", "kiosk-secret-2")

			for i := range l.cfg.Throttle.AddrMaxFailures {
				r := sprayer.do(patronStatusReq(fmt.Sprintf("2890%04d", i), "AC|AD123456|"))
				r.want(t, "CQ", "N")
				r.want(t, "AF", wrongScreen)
			}
			before := l.svc.Hasher().Derivations()
			for _, b := range []string{"28909999", p.Barcode} {
				r := sprayer.do(patronStatusReq(b, "AC|ADreading-room-7|"))
				r.want(t, "CQ", "N")
				r.want(t, "AF", "Too many attempts failed: sign-in is paused until 10:15.")
			}
			if d := l.svc.Hasher().Derivations() - before; d != 0 {
				t.Errorf("%d hashes for PIN checks of a paused kiosk login, want none", d)
			}
			// The pause is the kiosk login's, not the patron's.
			if n := failuresOf(l, "barcode:"+p.Barcode); n != 0 {
				t.Errorf("%d failures counted against the patron, want 0", n)
			}
			other.do(patronStatusReq(p.Barcode, "AC|ADreading-room-7|")).want(t, "CQ", "Y")

			pauses := 0
			for _, e := range auditEntries(l, "pin.verify.lockout.kiosk") {
				pauses++
				if e.Actor != "sip2:"+kioskLogin || e.PatronID != 0 || e.Addr != "" {
					t.Errorf("kiosk pause recorded as %+v, want actor sip2:%s, no patron, no address", e, kioskLogin)
				}
				text := fmt.Sprintf("%+v", e)
				for _, private := range []string{"2890", p.Barcode, "123456", "reading-room-7", "127.0.0.1"} {
					if strings.Contains(text, private) {
						t.Errorf("the kiosk pause's audit entry holds %q: %s", private, text)
					}
				}
			}
			if pauses != 1 {
				t.Errorf("%d kiosk pauses in the audit log, want 1", pauses)
			}

			l.advance(l.cfg.Throttle.Lockout.D())
			sprayer.do(patronStatusReq(p.Barcode, "AC|ADreading-room-7|")).want(t, "CQ", "Y")
		})
	}
}

// auditEntries returns the audit entries with the given action (at most a page).
func auditEntries(l *testLibrary, action string) []library.AuditEntry {
	l.t.Helper()
	var es []library.AuditEntry
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		var err error
		es, err = tx.SearchAudit(library.AuditFilter{Action: action, Limit: library.MaxPageSize})
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return es
}

// TestSIP2OverlongPINNotCounted proves that a PIN longer than
// pin.max_length, which can never be right, is refused over SIP2 without
// counting against the patron or the kiosk: twelve of them (more than the
// allowance of 10) leave the patron's failure count at zero, cost no
// hashing, and the patron's right PIN is then accepted. On SQLite and
// PostgreSQL. Before, each counted a failure and the twelve paused the
// patron everywhere.
func TestSIP2OverlongPINNotCounted(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			p := l.patron("27300002", "Long PIN Patron", nil)
			l.chosenPIN(p, "reading-room-7")
			k := l.kiosk()
			overlong := strings.Repeat("x", l.cfg.PIN.MaxLength+1)
			before := l.svc.Hasher().Derivations()
			for range l.cfg.Throttle.MaxFailures + 2 {
				r := k.do(patronStatusReq(p.Barcode, "AC|AD"+overlong+"|"))
				r.want(t, "CQ", "N")
				r.want(t, "AF", wrongScreen)
			}
			if d := l.svc.Hasher().Derivations() - before; d != 0 {
				t.Errorf("%d hashes for overlong PINs, want none", d)
			}
			for _, key := range []string{"barcode:" + p.Barcode, "sip2pin:" + kioskLogin} {
				if n := failuresOf(l, key); n != 0 {
					t.Errorf("%d failures counted for %s after overlong PINs, want 0", n, key)
				}
			}
			k.do(patronStatusReq(p.Barcode, "AC|ADreading-room-7|")).want(t, "CQ", "Y")
		})
	}
}
