package sip2

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"time"

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
	actor        string              // account's name in the audit log
	failedLogins int
	// verified is the PIN last verified on this connection, so that a
	// kiosk repeating the PIN in each request of a patron session costs
	// one argon2id hash, not one per request, while the patron's PIN is
	// unchanged. End Patron Session forgets it.
	verified library.PINCheck
	lang     *i18n.Printer // the language the last request asked for

	req  Message
	out  reply
	last []byte // the last reply, for 97
}

func newConn(s *Server, nc net.Conn) *conn {
	return &conn{srv: s, nc: nc, w: bufio.NewWriterSize(nc, 4096), buf: make([]byte, 2*maxLine+2),
		lang: s.en, out: reply{b: make([]byte, 0, 512), loc: s.cfg.Location()}}
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
// long, sends a line too long to be SIP2, or the server stops.
func (c *conn) serve() {
	defer c.nc.Close()
	for {
		line, err := c.readLine()
		if err != nil {
			if errors.Is(err, errTooLong) {
				c.send(c.resendRequest(-1, false))
				c.w.Flush()
			}
			return
		}
		began := time.Now()
		perr := Parse(line, &c.req)
		if perr != nil {
			// Nothing that fails to parse is acted on.
			c.send(c.resendRequest(c.req.Seq, c.req.Checked))
			c.srv.metrics.ObserveSIP2("other", time.Since(began))
			continue
		}
		keep := c.dispatch()
		c.srv.metrics.ObserveSIP2(codeNames[c.req.Code], time.Since(began))
		if !keep {
			c.w.Flush()
			return
		}
	}
}

// send writes a finished reply and keeps it for 97.
func (c *conn) send(b []byte) {
	c.w.Write(b)
	c.last = append(c.last[:0], b...)
}

// resendRequest builds a 96: the request could not be read, send it again.
func (c *conn) resendRequest(seq int, checked bool) []byte {
	c.out.start("96")
	return c.out.finish(seq, checked)
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
		c.nc.SetReadDeadline(time.Now().Add(c.srv.opts.IdleTimeout))
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
			c.send(c.resendRequest(m.Seq, m.Checked))
		} else {
			c.w.Write(c.last)
		}
		return true
	}
	if c.account == nil && !c.bindWithoutLogin() {
		// Nothing but 99 is answered before a login: close, so that a
		// misconfigured machine fails fast instead of waiting for replies.
		c.srv.log.Info("sip2: request before login; closing", "message", codeNames[m.Code], "remote", c.nc.RemoteAddr().String())
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
		c.send(c.resendRequest(m.Seq, m.Checked))
	}
	return true
}

// finish ends the reply being built and sends it.
func (c *conn) finish() { c.send(c.out.finish(c.req.Seq, c.req.Checked)) }
