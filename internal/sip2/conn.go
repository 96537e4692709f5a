package sip2

import (
	"bufio"
	"bytes"
	"container/list"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

// maxLine is the longest request line accepted; a longer one is answered
// with 96 and the connection closed. Real SIP2 messages are far shorter.
const maxLine = 4096

// errTooLong says a line passed maxLine without a terminator.
var errTooLong = errors.New("sip2: line longer than 4 KiB")

// conn is one client connection and its session state.
type conn struct {
	srv *Server
	nc  net.Conn
	w   *bufio.Writer

	// The read buffer: buf[start:end] is unread; buf[start:scan] is known
	// to hold no terminator.
	buf              []byte
	start, end, scan int

	// mu guards stopping against the deadline set before each read.
	mu       sync.Mutex
	stopping bool

	account      *library.SIPAccount // nil until a login (or a no-login account) binds it
	accountAt    time.Time           // when account was read, on the library's clock
	actor        string              // account's name in the audit log
	failedLogins int
	// cs is the account's single-byte character set, nil for UTF-8; dec
	// holds a request read in it, in UTF-8.
	cs  *charmap.Charmap
	dec []byte
	// checksums is set once the client has sent a checksum (AZ): error
	// detection is in use, and every 96 carries one.
	checksums bool

	// waiting is the connection's place in the server's list of
	// connections not logged in, nil once it is bound to an account (or
	// closed to make room); busy is set while such a connection is in a
	// transaction. The server's mu guards both. preLogin, the
	// connection's own, says whether it has yet to leave that list.
	waiting  *list.Element
	busy     bool
	preLogin bool
	// verified is the PIN last verified on this connection, so that a
	// kiosk repeating the PIN in each request of a patron session costs
	// one argon2id hash, not one per request, while the patron's PIN is
	// unchanged. End Patron Session forgets it.
	verified library.PINCheck
	lang     *i18n.Printer // the language the last request asked for

	req  Message
	out  reply
	last []byte // the last reply, for 97
	// The last request acted on, when it had a sequence number (prevKept):
	// its length and hash, and its reply, sent at prevAt on the library's
	// clock. The same line again is a retransmission (retransmission).
	prevKept  bool
	prevLen   int
	prevSum   [32]byte
	prevReply []byte
	prevAt    time.Time
}

func newConn(s *Server, nc net.Conn) *conn {
	return &conn{srv: s, nc: nc, w: bufio.NewWriterSize(nc, 4096), buf: make([]byte, 2*maxLine+2),
		lang: s.en, preLogin: true, out: reply{b: make([]byte, 0, 512), loc: s.cfg.Location()}}
}

// stop makes the connection end after the transaction it is in: a read
// in progress returns at once, and no new one starts.
func (c *conn) stop() {
	c.mu.Lock()
	c.stopping = true
	c.nc.SetReadDeadline(time.Unix(1, 0))
	c.mu.Unlock()
}

// serve reads and answers requests until the client leaves, stays idle too
// long, sends a line too long to be SIP2, or the server stops. The caller
// closes the connection.
func (c *conn) serve() {
	for {
		c.srv.setBusy(c, false)
		line, err := c.readLine()
		if err != nil {
			if errors.Is(err, errTooLong) {
				c.send(c.resendRequest(false))
				c.w.Flush()
			}
			return
		}
		c.srv.setBusy(c, true)
		if c.retransmission(line) {
			continue
		}
		began := time.Now()
		perr := c.parse(line)
		if perr != nil {
			// Nothing that fails to parse is acted on.
			c.send(c.resendRequest(c.req.Checked))
			c.srv.metrics.ObserveSIP2("other", time.Since(began))
			continue
		}
		keep := c.dispatch()
		c.srv.metrics.ObserveSIP2(codeNames[c.req.Code], time.Since(began))
		if !keep {
			c.w.Flush()
			return
		}
		c.remember(line)
	}
}

// parse reads a request line into c.req. The error detection fields are
// read, and the checksum checked, on the bytes as they came; the rest is
// read in the character set of the connection's account. A machine that
// never logs in is bound to its account first, by the institution id its
// request names (in ASCII, the same in every set Carrel reads), so that
// even its first request is read in the account's set.
func (c *conn) parse(line []byte) error {
	m := &c.req
	body, err := m.readTrailer(line)
	if m.Checked {
		c.checksums = true
	}
	if err != nil {
		return err
	}
	c.refreshAccount()
	if c.account == nil && !answeredBeforeLogin(body) && m.split(body) == nil {
		c.bindWithoutLogin()
	}
	if c.cs != nil {
		c.dec = decodeInto(c.dec[:0], body, c.cs)
		body = c.dec
	}
	return m.parseBody(body)
}

// answeredBeforeLogin reports whether a message is one a connection may
// send before it is bound to an account: 93 Login, 99 SC Status and 97.
func answeredBeforeLogin(body []byte) bool {
	if len(body) < 2 {
		return true // not a message at all: 96
	}
	code := string(body[:2])
	return code == "93" || code == "99" || code == "97"
}

// send writes a finished reply and keeps it for 97.
func (c *conn) send(b []byte) {
	c.w.Write(b)
	c.last = append(c.last[:0], b...)
}

// resendRequest builds a 96: the request could not be read, send it again.
// A 96 carries no sequence number, and a checksum when the request had
// one or the client has used them before (SIP2 2.00).
func (c *conn) resendRequest(checked bool) []byte {
	c.out.start("96")
	return c.out.finishUnsequenced(checked || c.checksums)
}

// readLine returns the next request line without its terminator. CR, LF
// and CRLF all end a line; empty lines are skipped. Pending replies are
// flushed before waiting for the network, so pipelined requests are
// answered in one write.
func (c *conn) readLine() ([]byte, error) {
	for {
		for c.start < c.end && (c.buf[c.start] == '\r' || c.buf[c.start] == '\n') {
			c.start++
		}
		c.scan = max(c.scan, c.start)
		if i := indexTerminator(c.buf[c.scan:c.end]); i >= 0 {
			line := c.buf[c.start : c.scan+i]
			c.start = c.scan + i + 1
			c.scan = c.start
			if len(line) > maxLine {
				return nil, errTooLong
			}
			return line, nil
		}
		c.scan = c.end
		if c.end-c.start > maxLine {
			return nil, errTooLong
		}
		if c.start > 0 {
			n := copy(c.buf, c.buf[c.start:c.end])
			c.scan -= c.start
			c.start, c.end = 0, n
		}
		if err := c.w.Flush(); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.stopping {
			c.mu.Unlock()
			return nil, io.EOF
		}
		c.nc.SetReadDeadline(time.Now().Add(c.idleTimeout()))
		c.mu.Unlock()
		n, err := c.nc.Read(c.buf[c.end:])
		c.end += n
		if err != nil && n == 0 {
			return nil, err
		}
	}
}

// indexTerminator returns the index of the first CR or LF in b, or -1.
func indexTerminator(b []byte) int {
	i := bytes.IndexByte(b, '\r')
	if i < 0 {
		i = len(b)
	}
	if j := bytes.IndexByte(b[:i], '\n'); j >= 0 {
		return j
	}
	if i == len(b) {
		return -1
	}
	return i
}

// codeNames are the metric labels of the message codes, made once.
var codeNames = func() [100]string {
	var t [100]string
	for i := range t {
		t[i] = string([]byte{byte('0' + i/10), byte('0' + i%10)})
	}
	return t
}()

// dispatch answers the parsed request and reports whether to keep the
// connection open.
func (c *conn) dispatch() bool {
	m := &c.req
	switch m.Code {
	case 99:
		c.scStatus()
		return true
	case 93:
		return c.login()
	case 97:
		if len(c.last) == 0 {
			c.send(c.resendRequest(m.Checked))
		} else {
			c.w.Write(c.last)
		}
		return true
	}
	if c.account == nil {
		// Nothing but 99 is answered before a login (parse has bound a
		// machine that never logs in): close, so that a misconfigured
		// machine fails fast instead of waiting for replies. The client's
		// address is not logged: a gate or a proxy may relay for patrons.
		c.srv.log.Info("sip2: request before login; closing", "message", codeNames[m.Code])
		return false
	}
	switch m.Code {
	case 23:
		c.patronStatus()
	case 63:
		c.patronInformation()
	case 11:
		c.checkout()
	case 9:
		c.checkin()
	case 29:
		c.renew()
	case 65:
		c.renewAll()
	case 17:
		c.itemInformation()
	case 15:
		c.hold()
	case 35:
		c.endSession()
	case 37:
		c.feePaid()
	case 1:
		c.blockPatron()
	default:
		c.send(c.resendRequest(m.Checked))
	}
	return true
}

// finish ends the reply being built and sends it.
func (c *conn) finish() { c.send(c.out.finish(c.req.Seq, c.req.Checked)) }
