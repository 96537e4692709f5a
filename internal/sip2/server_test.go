package sip2_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/sip2"
)

func TestSCStatusIsTheOnlyMessageBeforeLogin(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	c := l.dial()
	got := c.do("9900302.00")
	if got.code != "98" || !strings.HasPrefix(got.fixed, "YYYYNN") {
		t.Fatalf("99 before login: %q", got.raw)
	}
	// BX is true to what is implemented: Hold (position 14) is, item
	// status update and patron enable (positions 12 and 13) are not.
	got.want(t, "BX", "YYYYYYYYYYYNNYYY")
	got.want(t, "AM", l.cfg.LibraryName)
	got.want(t, "AO", "")

	c.send("2300120261128    100000AO" + institution + "|AA20240001|")
	if !c.closed() {
		t.Error("a patron request before login was answered; want the connection closed")
	}
}

func TestLogin(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	c := l.dial()
	for i := 1; i <= 2; i++ {
		if got := c.do("9300CN" + kioskLogin + "|COwrong|"); got.raw != "940" {
			t.Fatalf("wrong password %d: %q, want 940", i, got.raw)
		}
	}
	// Still open after two failures: the right password now logs in.
	if got := c.do("9300CN" + kioskLogin + "|CO" + kioskPassword + "|"); got.raw != "941" {
		t.Fatalf("right password: %q, want 941", got.raw)
	}
	got := c.do("9900302.00")
	got.want(t, "AO", institution)
	got.want(t, "AN", "MAIN-1F")

	// Unknown logins fail the same way; the third failure closes.
	c2 := l.dial()
	for i := 1; i <= 3; i++ {
		if got := c2.do("9300CNnobody|COx|"); got.raw != "940" {
			t.Fatalf("unknown login %d: %q", i, got.raw)
		}
	}
	if !c2.closed() {
		t.Error("connection open after three failed logins")
	}
	if strings.Contains(l.log.String(), kioskPassword) || strings.Contains(l.log.String(), "wrong") {
		t.Errorf("log holds a password:\n%s", l.log)
	}
}

func TestKioskWithoutLogin(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	if _, err := l.svc.AddSIPAccount(l.ctx, legacyAccount(), "legacy-secret"); err != nil {
		t.Fatal(err)
	}
	l.patron("20240001", "Chan Tai Man", nil)
	c := l.dial()
	got := c.do("2300120261128    100000AOLEGACY|AA20240001|")
	if got.code != "24" {
		t.Fatalf("legacy kiosk: %q", got.raw)
	}
	got.want(t, "BL", "Y")
	got.want(t, "AO", "LEGACY")
	// An institution with no such account is still refused.
	c2 := l.dial()
	c2.send("2300120261128    100000AO" + institution + "|AA20240001|")
	if !c2.closed() {
		t.Error("a kiosk of an institution whose accounts need a login was answered")
	}
}

func TestErrorDetection(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	c := l.kiosk()
	c.seq = 3
	got := c.do("9900302.00")
	if !strings.HasSuffix(got.raw[:len(got.raw)-4], "AY3AZ") {
		t.Fatalf("reply does not echo AY3 and carry AZ: %q", got.raw)
	}
	if sum := sip2.Checksum([]byte(got.raw[:len(got.raw)-4])); got.raw[len(got.raw)-4:] != strings.ToUpper(hex4(sum)) {
		t.Errorf("reply checksum %s, want %s", got.raw[len(got.raw)-4:], hex4(sum))
	}
	// A bad checksum gets 96 with a checksum, since the request had one,
	// and no sequence number, which a 96 never carries (SIP2 2.00).
	c.seq = -1
	c.send("9900302.00AY4AZ0000")
	if got := c.read(); got.raw != "96AZ"+hex4(sip2.Checksum([]byte("96AZ"))) {
		t.Errorf("bad checksum: %q, want 96AZ and its checksum", got.raw)
	}
	// 97 resends the last reply as it was.
	last := c.do(withChecksum("9900302.00", 5))
	c.send(withChecksum("97", 6))
	if again := c.read(); again.raw != last.raw {
		t.Errorf("97: %q, want the last reply %q", again.raw, last.raw)
	}
	// Without a reply to resend, 97 gets 96.
	if got := l.dial().do("97"); got.raw != "96" {
		t.Errorf("97 first: %q, want 96", got.raw)
	}
}

func hex4(v uint16) string {
	const h = "0123456789ABCDEF"
	return string([]byte{h[v>>12], h[v>>8&15], h[v>>4&15], h[v&15]})
}

func TestLineEndings(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	for _, eol := range []string{"\r", "\n", "\r\n"} {
		c := l.dial()
		c.eol = eol
		if got := c.do("9900302.00"); got.code != "98" {
			t.Errorf("eol %q: %q", eol, got.raw)
		}
		if got := c.do("9900302.00"); got.code != "98" {
			t.Errorf("eol %q, second request: %q", eol, got.raw)
		}
	}
	// Pipelined requests in one write are answered in order.
	c := l.dial()
	c.nc.Write([]byte("9900302.00\r97\r\n9900302.00AY1AZ" + hex4(sip2.Checksum([]byte("9900302.00AY1AZ"))) + "\r"))
	for i, want := range []string{"98", "98", "98"} {
		if got := c.read(); got.code != want {
			t.Errorf("pipelined %d: %q", i, got.raw)
		}
	}
}

func TestBadInput(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	c := l.kiosk()
	for _, junk := range []string{"xx", "5", "42abc", "63001", "11NN", "\xff\xfe99", "1NN"} {
		if got := c.do(junk); got.raw != "96" {
			t.Errorf("%q: %q, want 96", junk, got.raw)
		}
	}
	// The connection survives bad input.
	if got := c.do("9900302.00"); got.code != "98" {
		t.Errorf("after bad input: %q", got.raw)
	}
	// A line over 4 KiB gets 96 and the connection is closed.
	c.send("63" + strings.Repeat("A", 5000))
	if got := c.read(); got.raw != "96" {
		t.Errorf("long line: %q", got.raw)
	}
	if !c.closed() {
		t.Error("connection open after a line over 4 KiB")
	}
}

func TestIdleConnectionClosed(t *testing.T) {
	l := newLibrary(t, sip2.Options{IdleTimeout: 200 * time.Millisecond})
	c := l.kiosk()
	time.Sleep(400 * time.Millisecond)
	if !c.closed() {
		t.Error("idle connection still open")
	}
}

func TestShutdownFinishesTransactionsAndLeaksNothing(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.chosenPIN(p, "correct horse")
	before := runtime.NumGoroutine() // the accept loop among them
	idle := l.kiosk()
	c := l.kiosk()
	// A PIN check takes an argon2id hash (tens of milliseconds): close
	// while it runs, and the reply must still come.
	c.send("6300120261128    100000          AO" + institution + "|AA20240001|ADcorrect horse|")
	time.Sleep(5 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got := c.read()
	got.want(t, "CQ", "Y")
	if !c.closed() || !idle.closed() {
		t.Error("connections open after Close")
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
}
