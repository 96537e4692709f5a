package sip2_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/sip2"
)

// clientAddr is the address the clients of TestLogsHoldNoClientAddress
// connect from: one of loopback's, and unlike any other text in a log.
const clientAddr = "127.0.0.77"

// dialFrom opens a connection from clientAddr, without logging in.
func (l *testLibrary) dialFrom() *client {
	l.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(clientAddr)}, Timeout: 10 * time.Second}
	nc, err := d.Dial("tcp", l.addr)
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { nc.Close() })
	return &client{t: l.t, nc: nc, r: bufio.NewReader(nc), eol: "\r", seq: -1}
}

// TestLogsHoldNoClientAddress proves the SIP2 server's log names no
// client address: a gate or a PC-booking proxy relays for patrons, so
// the address is personal data, and the count of what happened is what
// an operator needs. A real server, its log captured, is taken through
// logins right and wrong, PIN failures, requests before login, the
// connection limit and the share of connections before login; every one
// of those that logs does (so the test sees the lines), and no line
// holds the address the clients came from.
func TestLogsHoldNoClientAddress(t *testing.T) {
	const limit = 8 // 2 before login
	l := newLibrary(t, sip2.Options{MaxConns: limit})
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.chosenPIN(p, "correct horse")

	login := func(c *client, password string) string {
		return c.do("9300CN" + kioskLogin + "|CO" + password + "|CPMAIN-1F|").raw
	}
	kiosk := l.dialFrom()
	if got := login(kiosk, kioskPassword); got != "941" {
		t.Fatalf("login: %q", got)
	}
	kiosk.do(patronStatusReq(p.Barcode, "ADwrong horse|")).want(t, "CQ", "N")
	kiosk.do(patronInfoReq("001", "          ", p.Barcode, "AC|")).want(t, "CQ", "N")

	wrong := l.dialFrom()
	for range 3 {
		if got := login(wrong, "not the password"); got != "940" {
			t.Fatalf("wrong password: %q", got)
		}
	}
	if !wrong.closed() {
		t.Error("open after three failed logins")
	}

	early := l.dialFrom()
	early.send(patronStatusReq(p.Barcode, ""))
	if !early.closed() {
		t.Error("a request before login was answered")
	}

	// The share before login: a third idle connection closes the first.
	var idle []*client
	for range 3 {
		c := l.dialFrom()
		c.do("9900302.00")
		idle = append(idle, c)
	}
	if !idle[0].closed() {
		t.Error("the oldest idle connection was not closed to make room")
	}
	// The connection limit: with the first kiosk and the one idle
	// connection left, kiosks logged in up to it, then one too many.
	for range limit - 2 {
		if got := login(l.dialFrom(), kioskPassword); got != "941" {
			t.Fatalf("login: %q", got)
		}
	}
	refused := l.dialFrom()
	refused.send("9900302.00")
	if !refused.closed() {
		t.Error("a connection beyond the limit was answered")
	}

	log := l.log.String()
	for _, want := range []string{"request before login", "connections not logged in closed to make room", "connections refused at the limit"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "127.0.0.") {
			t.Errorf("a log line holds an address: %s", line)
		}
	}
}
