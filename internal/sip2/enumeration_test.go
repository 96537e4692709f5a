package sip2_test

import (
	"slices"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
)

// SIP2 answers a logged-in machine, which the library trusts to hold the
// card: the specification's BL (valid patron) says whether the barcode is
// a patron's, and a 23 without any PIN gets it for no failed try. What the
// PIN check adds must not say more: CQ (valid patron password) and the
// screen message (AF) are the same for an unknown barcode and a wrong PIN
// for any account, and a paused barcode gets the same answer whether or
// not it is a patron's. BL, AE (the name), the status flags, counts and
// limits describe the patron and differ by their definition.

// pinAnswer is what a reply says about a PIN: CQ and the screen message.
type pinAnswer struct{ cq, af string }

func pinAnswerOf(r response) pinAnswer {
	cq, _ := r.field("CQ")
	af, _ := r.field("AF")
	return pinAnswer{cq, af}
}

// enumerationLibrary has an active, a blocked and an expired patron, each
// with a PIN of their own, and a card holder.
func enumerationLibrary(t *testing.T) (*testLibrary, []library.Patron) {
	t.Helper()
	l := newLibrary(t, sip2.Options{})
	active := l.patron("20240001", "Chan Tai Man", nil)
	blocked := l.patron("20240002", "Ho Ka Lok", func(p *library.Patron) { p.BlockedReason = "lost book" })
	expired := l.patron("20240003", "Tsang Hoi Yee", func(p *library.Patron) { p.ExpiresOn = library.NewDate(2026, 8, 31) })
	l.patron("20240004", "Lam Chi Ho", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
	for _, p := range []library.Patron{active, blocked, expired} {
		l.chosenPIN(p, "right-pin-"+p.Barcode)
	}
	return l, []library.Patron{active, blocked, expired}
}

// TestSIP2WrongPINLikeUnknownBarcode proves a wrong PIN for an active, a
// blocked and an expired patron gets the same CQ and screen message as an
// unknown barcode, in Patron Status (23/24), Patron Information (63/64)
// and Checkout (11/12). A card holder gets CQN too; its screen message
// says to register (R4), as for a 23 without a PIN.
func TestSIP2WrongPINLikeUnknownBarcode(t *testing.T) {
	l, patrons := enumerationLibrary(t)
	c := l.kiosk()
	l.item("B0001", "Call to Arms")
	barcodes := []string{"29999999", "20240001", "20240002", "20240003"}
	requests := map[string]func(barcode string) string{
		"23": func(b string) string { return patronStatusReq(b, "AC|ADwrong-pin-1|") },
		"63": func(b string) string { return patronInfoReq("001", "  Y       ", b, "AC|ADwrong-pin-1|") },
		"11": func(b string) string { return checkoutReq(b, "B0001") + "ADwrong-pin-1|" },
	}
	for code, req := range requests {
		var first pinAnswer
		for i, b := range barcodes {
			got := c.do(req(b))
			a := pinAnswerOf(got)
			if code != "11" && a.cq != "N" {
				t.Errorf("%s for %s: CQ %q, want N: %q", code, b, a.cq, got.raw)
			}
			if code == "11" && got.fixed[0] != '0' {
				t.Errorf("11 for %s with a wrong PIN: checked out: %q", b, got.raw)
			}
			if i == 0 {
				first = a
				if a.af != "The patron barcode or PIN is not right." {
					t.Errorf("%s for an unknown barcode with a PIN: AF %q", code, a.af)
				}
				continue
			}
			if a != first {
				t.Errorf("%s: %s with a wrong PIN answers %+v, an unknown barcode %+v", code, b, a, first)
			}
		}
	}
	got := c.do(patronStatusReq("20240004", "AC|AD20240004|"))
	got.want(t, "CQ", "N")
	got.wantContains(t, "AF", "register with library staff")
	for _, p := range patrons {
		if n := len(l.openLoans(p)); n != 0 {
			t.Errorf("%s has %d loans after a checkout with a wrong PIN", p.Barcode, n)
		}
	}
}

// TestSIP2PausedAlike proves that after ten failures a patron's barcode
// and a barcode nobody has get the same answer over SIP2, even to the
// right PIN: CQN and "sign-in is paused until" the same time.
func TestSIP2PausedAlike(t *testing.T) {
	l, _ := enumerationLibrary(t)
	c := l.kiosk()
	max := l.cfg.Throttle.MaxFailures
	answers := map[string]pinAnswer{}
	for _, b := range []string{"20240001", "29999999"} {
		for i := range max {
			if a := pinAnswerOf(c.do(patronStatusReq(b, "AC|ADwrong-pin-1|"))); a.cq != "N" || a.af != "The patron barcode or PIN is not right." {
				t.Fatalf("%s failure %d: %+v", b, i+1, a)
			}
		}
		for _, req := range []string{
			patronStatusReq(b, "AC|ADright-pin-"+b+"|"),
			patronInfoReq("001", "          ", b, "AC|ADright-pin-"+b+"|"),
		} {
			a := pinAnswerOf(c.do(req))
			if a.cq != "N" || a.af != "Too many attempts failed: sign-in is paused until 10:15." {
				t.Errorf("%s paused, request %.2s: %+v", b, req, a)
			}
			answers[req[:2]+b] = a
		}
	}
	if answers["2320240001"] != answers["2329999999"] || answers["6320240001"] != answers["6329999999"] {
		t.Errorf("a paused patron's barcode and an unknown one answer differently: %+v", answers)
	}
}

// TestSIP2PINTiming proves that over SIP2, as on the web, a wrong PIN for
// a patron and a PIN for a barcode nobody has take the same time: of 200
// tries of each, interleaved on one connection, the median difference of
// each pair made one after the other is under 10 ms. The throttle's limits
// are raised for the run so that neither barcode, nor the kiosk login's
// PIN checks, is paused.
func TestSIP2PINTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("400 argon2id verifications: skipped in -short mode")
	}
	l := newLibrary(t, sip2.Options{})
	l.cfg.Throttle.MaxFailures = 100000
	l.cfg.Throttle.AddrMaxFailures = 100000
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.chosenPIN(p, "right-pin-20240001")
	c := l.kiosk()
	try := func(barcode string) time.Duration {
		start := time.Now()
		got := c.do(patronStatusReq(barcode, "AC|ADwrong-pin-1|"))
		d := time.Since(start)
		if a := pinAnswerOf(got); a.cq != "N" || a.af != "The patron barcode or PIN is not right." {
			t.Fatalf("%s: %+v", barcode, a)
		}
		return d
	}
	const n = 200
	unknown, wrong := timeAlternately(n, func() time.Duration { return try("29999999") }, func() time.Duration { return try("20240001") })
	mu, mw := median(unknown), median(wrong)
	d := make([]time.Duration, n)
	for i := range d {
		// Tries made one straight after the other: a burst of load from
		// another job falls on both and cancels out.
		d[i] = unknown[i] - wrong[i]
	}
	md := median(d)
	t.Logf("SIP2 23 with AD, medians of %d tries: unknown barcode %v, wrong PIN %v; median difference of each pair %v", n, mu, mw, md)
	if md.Abs() >= 10*time.Millisecond {
		t.Errorf("an unknown barcode and a wrong PIN tried one after the other differ by %v (median of %d pairs; medians %v and %v); want under 10ms", md, n, mu, mw)
	}
}

// timeAlternately runs a and b n times each, after a few untimed warm-up
// rounds, alternating which goes first so that a change of load on the
// machine falls on both alike, and returns their durations.
func timeAlternately(n int, a, b func() time.Duration) (da, db []time.Duration) {
	for range 5 {
		a()
		b()
	}
	for i := range n {
		if i%2 == 0 {
			da = append(da, a())
			db = append(db, b())
		} else {
			db = append(db, b())
			da = append(da, a())
		}
	}
	return da, db
}

// median returns the middle of the durations.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
