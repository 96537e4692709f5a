package web_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
)

// The SIP2 account of the kiosks the web tests start beside the web server.
const (
	kioskLogin       = "kiosk1"
	kioskPassword    = "self-check-2026"
	kioskInstitution = "HKCT"
)

// startSIP2 starts a real SIP2 server on a free port over the same library
// service as the web server, with one kiosk account, and returns its
// address.
func (l *testLibrary) startSIP2() string {
	l.t.Helper()
	acct := library.SIPAccount{Login: kioskLogin, Institution: kioskInstitution, Location: "MAIN-1F", LoginRequired: true}
	if _, err := l.svc.AddSIPAccount(l.ctx, acct, kioskPassword); err != nil {
		l.t.Fatal(err)
	}
	srv, err := sip2.New(l.svc, sip2.Options{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(testLog{l.t}, nil))})
	if err != nil {
		l.t.Fatal(err)
	}
	if err := srv.Open(); err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			l.t.Errorf("close SIP2: %v", err)
		}
	})
	return srv.Addr()
}

// kiosk is a self-check machine on one TCP connection to the library's
// SIP2 server, logged in.
type kiosk struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

// dialKiosk connects a self-check machine to the SIP2 server at addr and
// logs it in.
func dialKiosk(t *testing.T, addr string) *kiosk {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	k := &kiosk{t: t, nc: nc, r: bufio.NewReader(nc)}
	if got := k.ask("9300CN" + kioskLogin + "|CO" + kioskPassword + "|CPMAIN-1F|"); got != "941" {
		t.Fatalf("SIP2 login: %q", got)
	}
	return k
}

// ask sends one request and returns the reply without its CR. It may be
// called from any goroutine: it reports failures with Error, not Fatal.
func (k *kiosk) ask(msg string) string {
	k.nc.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := io.WriteString(k.nc, msg+"\r"); err != nil {
		k.t.Errorf("SIP2 send: %v", err)
		return ""
	}
	s, err := k.r.ReadString('\r')
	if err != nil {
		k.t.Errorf("SIP2 reply: %v", err)
	}
	return strings.TrimSuffix(s, "\r")
}

// patronStatus sends a 23 Patron Status with the PIN in AD and returns the
// reply's CQ (valid patron password) and AF (screen message).
func (k *kiosk) patronStatus(barcode, pin string) (cq, af string) {
	reply := k.ask("23001" + "20261128    100000" + "AO" + kioskInstitution + "|AA" + barcode + "|AC|AD" + pin + "|")
	if !strings.HasPrefix(reply, "24") {
		k.t.Errorf("23 for %s: reply %q", barcode, reply)
	}
	for _, f := range strings.Split(reply, "|") {
		switch {
		case strings.HasPrefix(f, "CQ"):
			cq = f[2:]
		case strings.HasPrefix(f, "AF"):
			af = f[2:]
		}
	}
	return cq, af
}

// clientFrom is a client whose connections come from the given loopback
// address (127.0.0.2, ...): to the server, another machine.
func (l *testLibrary) clientFrom(ip string) *client {
	l.t.Helper()
	c := l.client()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c.c.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}
