package sip2_test

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/sip2"
)

// scStatus sends a 99 on nc and reports whether a 98 came back; a
// connection the server closed gives false.
func scStatus(t *testing.T, nc net.Conn) bool {
	t.Helper()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write([]byte("9900302.00\r")); err != nil {
		return false
	}
	reply, err := bufio.NewReader(nc).ReadString('\r')
	if err != nil {
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Fatalf("no answer and no close within 10 s: %v", err)
		}
		return false
	}
	return strings.HasPrefix(reply, "98")
}

// TestMaxConnections proves the server serves at most MaxConns connections
// at once: of limit+5 opened together exactly limit are answered and the
// rest closed unanswered, the refusal is logged without any address, and
// a slot given back is usable again. The connections only send 99, so
// all of them may be open without a login here (MaxBeforeLogin is the
// whole limit): prelogin_test.go tests that share.
func TestMaxConnections(t *testing.T) {
	const limit = 4
	l := newLibrary(t, sip2.Options{MaxConns: limit, MaxBeforeLogin: limit})
	conns := make([]net.Conn, limit+5)
	for i := range conns {
		nc, err := net.Dial("tcp", l.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		conns[i] = nc
	}
	var served []net.Conn
	for _, nc := range conns {
		if scStatus(t, nc) {
			served = append(served, nc)
		}
	}
	if len(served) != limit {
		t.Fatalf("%d of %d connections served, want %d", len(served), len(conns), limit)
	}
	// The ones served stay served.
	for i, nc := range served {
		if !scStatus(t, nc) {
			t.Errorf("served connection %d closed", i)
		}
	}
	if log := l.log.String(); !strings.Contains(log, "connections refused at the limit") || !strings.Contains(log, "limit=4") ||
		strings.Contains(log, "127.0.0.1") {
		t.Errorf("log: %q", log)
	}

	// One kiosk leaves: its slot serves the next one. The server frees the
	// slot when it reads the close, so a dial made before then is refused;
	// try until one is served.
	served[0].Close()
	freed := false
	for range 200 {
		nc, err := net.Dial("tcp", l.addr)
		if err != nil {
			t.Fatal(err)
		}
		ok := scStatus(t, nc)
		if ok {
			freed = true
			t.Cleanup(func() { nc.Close() })
			break
		}
		nc.Close()
		time.Sleep(10 * time.Millisecond)
	}
	if !freed {
		t.Fatal("a freed slot never served a new connection")
	}
	// And the server is full again.
	nc, err := net.Dial("tcp", l.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if scStatus(t, nc) {
		t.Error("a connection beyond the limit was served after the slot was reused")
	}
}
