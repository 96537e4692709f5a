package sip2

import (
	"crypto/sha256"
	"time"
)

// retransmitWindow is how long after its reply a request may come again
// and be taken for a retransmission. A machine that had no reply resends
// within its own reply timeout, seconds; the window keeps a machine that
// numbers every request alike (some send AY0 always) from being answered
// from the past when it asks the very same thing minutes later.
const retransmitWindow = time.Minute

// retransmission answers a request that is a retransmission of the last
// one acted on, and reports whether it was one. SIP2 2.00 has a machine
// that got no reply send the same message again with the same sequence
// number, to be answered, not acted on again: a renewal, a checkout with
// the renewal policy, a return or a payment must happen once. A request
// is a retransmission when its line is byte for byte the last request
// acted on, sequence number (and checksum) included, within
// retransmitWindow. A request without a sequence number cannot be told
// from the same request made again on purpose, so it is always acted on.
func (c *conn) retransmission(line []byte) bool {
	if !c.prevKept || len(line) != c.prevLen || sha256.Sum256(line) != c.prevSum {
		return false
	}
	if c.srv.svc.Now().Sub(c.prevAt) >= retransmitWindow {
		return false
	}
	c.send(c.prevReply)
	return true
}

// remember keeps what identifies a request just acted on, when it had a
// sequence number, and its reply; any other request ends what was kept,
// since a retransmission repeats the last request sent. Of the request
// only its length and a hash are kept: a line may hold a PIN or a
// password, which has no business staying in memory.
func (c *conn) remember(line []byte) {
	if c.req.Code == 97 {
		return // a 97 resends a reply; it does not replace the request
	}
	c.prevKept = c.req.Seq >= 0
	if !c.prevKept {
		return
	}
	c.prevLen, c.prevSum = len(line), sha256.Sum256(line)
	c.prevReply = append(c.prevReply[:0], c.last...)
	c.prevAt = c.srv.svc.Now()
}
