package sip2_test

import (
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// patronAuditCount counts the patron's audit entries with the action.
func patronAuditCount(l *testLibrary, p library.Patron, action string) int {
	l.t.Helper()
	n := 0
	for _, e := range l.audit(p) {
		if e.Action == action {
			n++
		}
	}
	return n
}

// renewals reads how many times the patron's loan of the item was renewed.
func renewals(l *testLibrary, p library.Patron, item string) int {
	l.t.Helper()
	for _, ln := range l.openLoans(p) {
		if ln.Item.Barcode == item {
			return ln.Renewals
		}
	}
	l.t.Fatalf("%s is not on loan to %s", item, p.Barcode)
	return 0
}

// TestRetransmissionActsOnce proves, on both databases, that a request a
// kiosk sends again unchanged (same sequence number, same checksum), as
// SIP2 2.00 has it do when no reply came, is answered with the first
// reply, byte for byte, and not carried out again: a renewal renews once,
// a checkout that renews (renewal policy Y) renews once, a checkout lends
// once and a return returns once. The same request with another sequence
// number is a new request and is carried out; 97 still resends the last
// reply.
func TestRetransmissionActsOnce(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			p := l.patron("20240001", "Chan Tai Man", nil)
			l.loan(p, "B0001", "Call to Arms", today.AddDays(-10), today.AddDays(4))
			l.loan(p, "B0002", "Wandering", today.AddDays(-10), today.AddDays(4))
			l.loan(p, "B0003", "Old Tales Retold", today.AddDays(-10), today.AddDays(4))
			l.item("B0004", "Medicine")
			c := l.kiosk()

			twice := func(what, req string) response {
				t.Helper()
				first := c.do(req)
				again := c.do(req)
				if again.raw != first.raw {
					t.Errorf("%s sent again: %q\nwant the first reply %q", what, again.raw, first.raw)
				}
				return first
			}

			renew := withChecksum(renewReq(p.Barcode, "B0001"), 3)
			if got := twice("29 Renew", renew); got.fixed[:2] != "1Y" {
				t.Fatalf("renew: %q", got.raw)
			}
			if n := renewals(l, p, "B0001"); n != 1 {
				t.Errorf("B0001 renewed %d times by one renewal sent twice", n)
			}
			if n := patronAuditCount(l, p, "loan.renew"); n != 1 {
				t.Errorf("%d renewals in the audit log, want 1", n)
			}
			// 97 resends the last reply, the one both got.
			c.send("97")
			if got := c.read(); got.raw != c.do(renew).raw {
				t.Errorf("97 after a retransmission: %q", got.raw)
			}

			renewByCheckout := withChecksum("11YN"+sipDate()+sipDate()+"AO"+institution+"|AA"+p.Barcode+"|ABB0002|AC|", 4)
			if got := twice("11 Checkout renewing", renewByCheckout); got.fixed[:2] != "1Y" {
				t.Errorf("checkout as renewal: %q", got.raw)
			}
			if n := renewals(l, p, "B0002"); n != 1 {
				t.Errorf("B0002 renewed %d times by one checkout sent twice", n)
			}

			checkout := withChecksum(checkoutReq(p.Barcode, "B0004"), 5)
			if got := twice("11 Checkout", checkout); got.fixed[0] != '1' {
				t.Errorf("checkout: %q", got.raw)
			}
			if n := patronAuditCount(l, p, "loan.checkout"); n != 1 {
				t.Errorf("%d checkouts in the audit log, want 1", n)
			}

			checkin := withChecksum(checkinReq("B0003"), 6)
			if got := twice("09 Checkin", checkin); got.fixed[0] != '1' {
				t.Errorf("checkin: %q", got.raw)
			}
			if n := patronAuditCount(l, p, "loan.checkin"); n != 1 {
				t.Errorf("%d returns in the audit log, want 1", n)
			}

			// Another sequence number: another request, carried out (two
			// days on, when the renewal moves the due date later).
			l.advance(48 * time.Hour)
			if got := c.do(withChecksum(renewReq(p.Barcode, "B0001"), 7)); got.fixed[:2] != "1Y" {
				t.Errorf("renew with the next sequence number: %q", got.raw)
			}
			if n := renewals(l, p, "B0001"); n != 2 {
				t.Errorf("B0001 renewed %d times, want 2 after a second renewal", n)
			}
		})
	}
}

// TestRepeatWithoutSequenceActsAgain proves what cannot be a
// retransmission is carried out each time: a request without a sequence
// number (nothing tells it from the same request made again), and the
// same line again once the retransmission window has passed.
func TestRepeatWithoutSequenceActsAgain(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.loan(p, "B0001", "Call to Arms", today.AddDays(-10), today.AddDays(4))
	l.loan(p, "B0002", "Wandering", today.AddDays(-10), today.AddDays(4))
	c := l.kiosk()

	plain := checkinReq("B0001")
	if got := c.do(plain); got.fixed[0] != '1' {
		t.Fatalf("checkin: %q", got.raw)
	}
	if got := c.do(plain); got.fixed[0] != '0' {
		t.Errorf("checkin without a sequence number, again: %q, want it carried out (not on loan)", got.raw)
	}

	late := withChecksum(checkinReq("B0002"), 1)
	if got := c.do(late); got.fixed[0] != '1' {
		t.Fatalf("checkin: %q", got.raw)
	}
	l.advance(2 * time.Minute)
	if got := c.do(late); got.fixed[0] != '0' {
		t.Errorf("the same checkin two minutes later: %q, want it carried out (not on loan)", got.raw)
	}
	if n := patronAuditCount(l, p, "loan.checkin"); n != 2 {
		t.Errorf("%d returns in the audit log, want 2", n)
	}
}
