package sip2_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// The SIP account every test library has, and its password.
const (
	kioskLogin    = "kiosk1"
	kioskPassword = "kiosk-secret-1"
	institution   = "HKCT"
)

// today is the day the test libraries live on: Saturday 28 November 2026,
// 10:00 in Hong Kong.
var today = library.NewDate(2026, time.November, 28)

// testLibrary is a real Carrel: a fresh database, the library service on
// a fixed clock, and the SIP2 server on a free port.
type testLibrary struct {
	t    testing.TB
	ctx  context.Context
	svc  *library.Service
	cfg  *library.Config
	srv  *sip2.Server
	addr string
	log  *logBuffer

	mu  sync.Mutex
	now time.Time
}

// newLibrary boots a library on a fresh SQLite database.
func newLibrary(t testing.TB, opts sip2.Options) *testLibrary {
	t.Helper()
	return newLibraryOn(t, storagetest.New(t), opts)
}

// newLibraryOn boots a library on the given database.
func newLibraryOn(t testing.TB, db *storage.DB, opts sip2.Options) *testLibrary {
	t.Helper()
	cfg := library.DefaultConfig()
	l := &testLibrary{t: t, ctx: context.Background(), cfg: &cfg, log: &logBuffer{}}
	l.svc = library.NewService(&cfg, db, library.NewHasher(0))
	l.now = today.Time(cfg.Location()).Add(10 * time.Hour)
	l.svc.SetClock(l.clock)
	if _, err := l.svc.AddSIPAccount(l.ctx, library.SIPAccount{Login: kioskLogin, Institution: institution, Location: "MAIN-1F",
		LoginRequired: true, RequirePIN: true}, kioskPassword); err != nil {
		t.Fatal(err)
	}
	opts.Addr = "127.0.0.1:0"
	opts.Logger = slog.New(slog.NewTextHandler(l.log, nil))
	srv, err := sip2.New(l.svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	l.srv, l.addr = srv, srv.Addr()
	return l
}

// cardOnlyKiosk makes the test kiosk's account one that does not require
// the PIN (carrel sip2 set kiosk1 --no-require-pin), for a self-check that
// only scans cards: connections made from now on follow it.
func (l *testLibrary) cardOnlyKiosk() {
	l.t.Helper()
	no := false
	if _, err := l.svc.ChangeSIPAccount(l.ctx, kioskLogin, library.SIPAccountChange{RequirePIN: &no}); err != nil {
		l.t.Fatal(err)
	}
}

func (l *testLibrary) clock() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now
}

// advance moves the library's clock on.
func (l *testLibrary) advance(d time.Duration) {
	l.mu.Lock()
	l.now = l.now.Add(d)
	l.mu.Unlock()
}

func (l *testLibrary) update(fn func(tx library.Tx) error) {
	l.t.Helper()
	if err := l.svc.Store().Update(l.ctx, fn); err != nil {
		l.t.Fatal(err)
	}
}

// patron stores a registered student on the barcode preset, then applies edit.
func (l *testLibrary) patron(barcode, name string, edit func(*library.Patron)) library.Patron {
	l.t.Helper()
	p := library.Patron{
		Barcode: barcode, Category: "student", Name: name,
		RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31),
		PIN: library.PINRecord{Kind: library.PINPreset},
	}
	if edit != nil {
		edit(&p)
	}
	l.update(func(tx library.Tx) error { return tx.CreatePatron(&p) })
	return p
}

// chosenPIN gives the patron a PIN of their own (one argon2id hash).
func (l *testLibrary) chosenPIN(p library.Patron, pin string) {
	l.t.Helper()
	h, err := l.svc.Hasher().Hash(l.ctx, pin)
	if err != nil {
		l.t.Fatal(err)
	}
	l.update(func(tx library.Tx) error {
		return tx.SetPIN(p.ID, library.PINRecord{Kind: library.PINChosen, Hash: h, SetAt: l.clock()})
	})
}

// item stores an item.
func (l *testLibrary) item(barcode, title string) library.Item {
	l.t.Helper()
	it := library.Item{Barcode: barcode, Title: title, Author: "Author of " + title, CallNumber: "QA76.6", Location: "Main Library 3/F"}
	l.update(func(tx library.Tx) error { return tx.CreateItem(&it) })
	return it
}

// loan lends a new item to p, borrowed and due on the given days.
func (l *testLibrary) loan(p library.Patron, itemBarcode, title string, borrowed, due library.Date) library.Loan {
	l.t.Helper()
	it := l.item(itemBarcode, title)
	loc := l.cfg.Location()
	ln := library.Loan{PatronID: p.ID, Item: it, CheckedOutAt: borrowed.Time(loc).Add(11 * time.Hour), DueAt: due.EndOf(loc)}
	l.update(func(tx library.Tx) error { return tx.CreateLoan(&ln) })
	return ln
}

// openLoans reads the patron's current loans straight from the database.
func (l *testLibrary) openLoans(p library.Patron) []library.Loan {
	l.t.Helper()
	var loans []library.Loan
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		var err error
		loans, err = tx.OpenLoans(p.ID)
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return loans
}

// balance reads the patron's fine balance.
func (l *testLibrary) balance(p library.Patron) library.Money {
	l.t.Helper()
	var m library.Money
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		var err error
		m, err = tx.FineBalance(p.ID)
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return m
}

// audit reads the patron's audit trail, newest first.
func (l *testLibrary) audit(p library.Patron) []library.AuditEntry {
	l.t.Helper()
	var es []library.AuditEntry
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		var err error
		es, err = tx.PatronAudit(p.ID, 100)
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return es
}

// client is a SIP2 client on one TCP connection.
type client struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
	// eol ends every request: "\r" unless a test wants LF or CRLF.
	eol string
	// seq, when not negative, adds AY<seq>AZ<checksum> to every request.
	seq int
}

// dial opens a connection without logging in.
func (l *testLibrary) dial() *client {
	l.t.Helper()
	nc, err := net.Dial("tcp", l.addr)
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { nc.Close() })
	return &client{t: l.t, nc: nc, r: bufio.NewReader(nc), eol: "\r", seq: -1}
}

// kiosk opens a connection and logs in as the test kiosk.
func (l *testLibrary) kiosk() *client {
	l.t.Helper()
	c := l.dial()
	if got := c.do("9300CN" + kioskLogin + "|CO" + kioskPassword + "|CPMAIN-1F|"); got.code != "94" || got.fixed != "1" {
		l.t.Fatalf("login: %q", got.raw)
	}
	return c
}

// withChecksum adds AY<seq>AZ<checksum> to a request.
func withChecksum(msg string, seq int) string {
	s := fmt.Sprintf("%sAY%dAZ", msg, seq)
	return fmt.Sprintf("%s%04X", s, sip2.Checksum([]byte(s)))
}

// send writes one request without waiting for the reply.
func (c *client) send(msg string) {
	c.t.Helper()
	if c.seq >= 0 {
		msg = withChecksum(msg, c.seq)
		c.seq = (c.seq + 1) % 10
	}
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write([]byte(msg + c.eol)); err != nil {
		c.t.Fatal(err)
	}
}

// read reads one reply, which must end with CR alone.
func (c *client) read() response {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	s, err := c.r.ReadString('\r')
	if err != nil {
		c.t.Fatalf("read reply: %v (got %q)", err, s)
	}
	return parseResponse(c.t, strings.TrimSuffix(s, "\r"))
}

// do sends a request and reads its reply.
func (c *client) do(msg string) response {
	c.t.Helper()
	c.send(msg)
	return c.read()
}

// closed reports whether the server has closed the connection (reading
// gives EOF, not a reply, within a few seconds).
func (c *client) closed() bool {
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := c.r.ReadByte()
	return err != nil && !isTimeout(err)
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// response is a parsed reply.
type response struct {
	raw    string
	code   string
	fixed  string
	fields map[string][]string
}

// The fixed part lengths of the replies.
var replyFixed = map[string]int{
	"94": 1, "98": 34, "24": 35, "64": 59, "12": 22, "10": 22, "30": 22, "66": 27,
	"18": 24, "16": 20, "36": 19, "38": 19, "96": 0,
}

func parseResponse(t testing.TB, s string) response {
	t.Helper()
	r := response{raw: s, fields: map[string][]string{}}
	if len(s) < 2 {
		t.Fatalf("reply too short: %q", s)
	}
	r.code = s[:2]
	n, ok := replyFixed[r.code]
	if !ok || len(s) < 2+n {
		t.Fatalf("unexpected reply %q", s)
	}
	r.fixed = s[2 : 2+n]
	rest := s[2+n:]
	if i := strings.Index(rest, "AY"); i >= 0 && strings.HasSuffix(rest[:len(rest)-4], "AZ") && i == len(rest)-9 {
		rest = rest[:i]
	}
	for _, f := range strings.Split(rest, "|") {
		if len(f) >= 2 {
			r.fields[f[:2]] = append(r.fields[f[:2]], f[2:])
		}
	}
	return r
}

// field returns the first value of a field, and whether it is there.
func (r response) field(tag string) (string, bool) {
	v, ok := r.fields[tag]
	if !ok {
		return "", false
	}
	return v[0], true
}

// want fails the test unless the reply's field has the value.
func (r response) want(t testing.TB, tag, value string) {
	t.Helper()
	got, ok := r.field(tag)
	if !ok {
		t.Errorf("reply %s lacks %s (want %q): %q", r.code, tag, value, r.raw)
	} else if got != value {
		t.Errorf("reply %s: %s = %q, want %q: %q", r.code, tag, got, value, r.raw)
	}
}

// wantContains fails the test unless the reply's field contains s.
func (r response) wantContains(t testing.TB, tag, s string) {
	t.Helper()
	got, _ := r.field(tag)
	if !strings.Contains(got, s) {
		t.Errorf("reply %s: %s = %q, want it to contain %q", r.code, tag, got, s)
	}
}

// sipDate is the library's clock as a SIP2 date, for the fixed fields of requests.
func sipDate() string { return "20261128    100000" }

// logBuffer collects the server's log, safely for concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// legacyAccount is a kiosk account that never logs in.
func legacyAccount() library.SIPAccount {
	return library.SIPAccount{Login: "oldkiosk", Institution: "LEGACY", LoginRequired: false}
}

// Requests, built as a kiosk would send them.

func patronStatusReq(barcode string, fields string) string {
	return "23001" + sipDate() + "AO" + institution + "|AA" + barcode + "|" + fields
}

func patronInfoReq(lang, summary, barcode, fields string) string {
	return "63" + lang + sipDate() + summary + "AO" + institution + "|AA" + barcode + "|" + fields
}

func checkoutReq(patron, item string) string {
	return "11NN" + sipDate() + sipDate() + "AO" + institution + "|AA" + patron + "|AB" + item + "|AC|"
}

func checkinReq(item string) string {
	return "09N" + sipDate() + sipDate() + "APMAIN|AO" + institution + "|AB" + item + "|AC|"
}

func renewReq(patron, item string) string {
	return "29NN" + sipDate() + sipDate() + "AO" + institution + "|AA" + patron + "|AB" + item + "|"
}

func holdReq(mode byte, patron, item, fields string) string {
	return "15" + string(mode) + sipDate() + "AO" + institution + "|AA" + patron + "|AB" + item + "|" + fields
}
