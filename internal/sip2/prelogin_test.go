package sip2_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/sip2"
)

// idleConns opens n connections that send one 99 SC Status and then only
// wait, as a flood of them did to shut the kiosks out, and returns those
// the server answered.
func idleConns(t *testing.T, l *testLibrary, n int) []net.Conn {
	t.Helper()
	var served []net.Conn
	for range n {
		nc, err := net.Dial("tcp", l.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		if scStatus(t, nc) {
			served = append(served, nc)
		}
	}
	return served
}

// closedByServer waits for the server to close nc, with a guard against a
// hang far longer than any timeout the test sets, and reports whether it
// did.
func closedByServer(nc net.Conn) bool {
	nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	var b [64]byte
	for {
		_, err := nc.Read(b[:])
		if err != nil {
			ne, ok := err.(net.Error)
			return !(ok && ne.Timeout())
		}
	}
}

// TestIdleConnectionsBeforeLoginDoNotShutOutKiosks proves that a flood of
// connections that only send 99 cannot keep a kiosk out: however many
// there are, at most a quarter of the connection limit of them stay open
// (the oldest idle one makes room for a new connection), so a kiosk that
// connects during the flood gets in, logs in and lends; and once logged
// in, connections no longer count against that share. The log counts the
// connections closed to make room, without any address.
func TestIdleConnectionsBeforeLoginDoNotShutOutKiosks(t *testing.T) {
	// A quarter of 32: 8 connections before login. The limit leaves room
	// for connections the server has closed but not yet counted out.
	const limit = 32
	l := newLibrary(t, sip2.Options{MaxConns: limit})
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.item("B0001", "Call to Arms")
	l.item("B0002", "Wandering")

	flood := idleConns(t, l, limit)
	kiosk := l.kiosk()
	if got := kiosk.do(checkoutReq(p.Barcode, "B0001")); got.fixed[0] != '1' {
		t.Fatalf("checkout during the flood: %q", got.raw)
	}
	open := 0
	for _, nc := range flood {
		if !closedByServerNow(nc) {
			open++
		}
	}
	if open > limit/4 {
		t.Errorf("%d of the %d idle connections still open, want at most %d", open, len(flood), limit/4)
	}

	// Logged-in kiosks are not held to the share: more of them than the
	// share, beside a full share of idle connections, are all served.
	var kiosks []*client
	for range limit/4 + 2 {
		kiosks = append(kiosks, l.kiosk())
	}
	idleConns(t, l, limit/4)
	for i, k := range kiosks {
		if got := k.do("9900302.00"); got.code != "98" {
			t.Errorf("kiosk %d: %q", i, got.raw)
		}
	}
	if got := kiosk.do(checkoutReq(p.Barcode, "B0002")); got.fixed[0] != '1' {
		t.Errorf("second checkout: %q", got.raw)
	}
	log := l.log.String()
	if !strings.Contains(log, "connections not logged in closed to make room") || !strings.Contains(log, "limit=8") {
		t.Errorf("log: %q", log)
	}
	if strings.Contains(log, "127.0.0.1") {
		t.Errorf("log holds an address: %q", log)
	}
}

// closedByServerNow reports whether the server has closed nc, reading at
// once: a 99 answered means it is open.
func closedByServerNow(nc net.Conn) bool {
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write([]byte("9900302.00\r")); err != nil {
		return true
	}
	var b [256]byte
	n, err := nc.Read(b[:])
	return err != nil || !strings.HasPrefix(string(b[:n]), "98")
}

// TestLoginTimeout proves that a connection that has not logged in is
// closed after the short login timeout, while a logged-in kiosk, and a
// legacy kiosk bound to an account that needs no login, keep the long
// idle timeout. Only that the idle connection is closed is asserted,
// never how fast.
func TestLoginTimeout(t *testing.T) {
	l := newLibrary(t, sip2.Options{LoginTimeout: 100 * time.Millisecond})
	if _, err := l.svc.AddSIPAccount(l.ctx, legacyAccount(), "legacy-secret"); err != nil {
		t.Fatal(err)
	}
	l.patron("20240001", "Chan Tai Man", nil)
	kiosk := l.kiosk()
	legacy := l.dial()
	legacy.do("2300120261128    100000AOLEGACY|AA20240001|").want(t, "BL", "Y")
	idle := idleConns(t, l, 1)
	silent, err := net.Dial("tcp", l.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()

	if !closedByServer(idle[0]) {
		t.Error("a connection that sent only 99 is still open after 30 s; the login timeout is 100 ms")
	}
	if !closedByServer(silent) {
		t.Error("a connection that sent nothing is still open after 30 s; the login timeout is 100 ms")
	}
	// Ten login timeouts later, the logged-in ones are still served.
	time.Sleep(time.Second)
	if got := kiosk.do("9900302.00"); got.code != "98" {
		t.Errorf("logged-in kiosk: %q", got.raw)
	}
	legacy.do("2300120261128    100000AOLEGACY|AA20240001|").want(t, "BL", "Y")
}
