package sip2

import (
	"net"

	"github.com/carrel-library/carrel/internal/library"
)

// login answers 93 Login with 94: 1 and the connection bound to the
// account, or 0. A failed login keeps the connection open for another try;
// after maxFailedLogins failures it is closed.
func (c *conn) login() bool {
	m := &c.req
	a, err := c.srv.svc.SIPLoginFrom(c.srv.ctx, m.String("CN"), m.String("CO"), c.clientHost())
	c.out.start("94")
	if err != nil {
		if !library.IsCode(err, library.EUNAUTHORIZED) && !library.IsCode(err, library.ELOCKED) {
			c.failure(err)
		}
		c.out.ok(false)
		c.finish()
		c.failedLogins++
		return c.failedLogins < maxFailedLogins
	}
	c.bind(a)
	c.failedLogins = 0
	c.out.ok(true)
	c.finish()
	return true
}

// clientHost is the client's address without its port: the key its failed
// logins are counted against, whichever connection they come on.
func (c *conn) clientHost() string {
	addr := c.nc.RemoteAddr().String()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// bind makes the connection the account's.
func (c *conn) bind(a library.SIPAccount) {
	c.account, c.actor = &a, a.Actor()
	c.forgetPatron()
}

// bindWithoutLogin binds a connection that has not logged in to the
// account of its request's institution (AO) that needs no login, for
// legacy kiosks that never send 93. It reports whether there was one.
func (c *conn) bindWithoutLogin() bool {
	ao, ok := c.req.Field("AO")
	if !ok || len(ao) == 0 {
		return false
	}
	a, err := c.srv.svc.SIPAccountWithoutLogin(c.srv.ctx, string(ao))
	if err != nil {
		if !library.IsCode(err, library.ENOTFOUND) {
			c.failure(err)
		}
		return false
	}
	c.bind(a)
	return true
}

// supportedMessages is the BX field of 98: Y for each message Carrel
// answers, in the order SIP2 lists them: patron status, checkout, checkin,
// block patron, SC/ACS status, resend, login, patron information, end
// patron session, fee paid, item information, item status update (no),
// patron enable (no), hold, renew, renew all.
const supportedMessages = "YYYYYYYYYYYNNYYY"

// scStatus answers 99 SC Status with 98 ACS Status. It is the one message
// answered before a login.
func (c *conn) scStatus() {
	now := c.srv.svc.Now()
	c.out.start("98")
	c.out.yn(true)  // on-line
	c.out.yn(true)  // checkin ok
	c.out.yn(true)  // checkout ok
	c.out.yn(true)  // ACS renewal policy: renewing allowed
	c.out.yn(false) // status update ok: item status update not supported
	c.out.yn(false) // off-line ok
	c.out.raw("030")
	c.out.raw("003")
	c.out.date(now)
	c.out.raw("2.00")
	c.out.field("AO", c.institution())
	c.out.field("AM", c.srv.cfg.LibraryName)
	c.out.field("BX", supportedMessages)
	if c.account != nil && c.account.Location != "" {
		c.out.field("AN", c.account.Location)
	}
	c.finish()
}
