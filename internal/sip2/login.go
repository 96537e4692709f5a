package sip2

import (
	"net"
	"time"

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

// bind makes the connection the account's: it leaves the server's count
// of connections not logged in, and reads and writes in the account's
// character set from now on.
func (c *conn) bind(a library.SIPAccount) {
	c.setAccount(a)
	c.forgetPatron()
	c.srv.loggedIn(c)
}

// setAccount keeps the account a connection acts as, read now.
func (c *conn) setAccount(a library.SIPAccount) {
	c.account, c.actor, c.accountAt = &a, a.Actor(), c.srv.svc.Now()
	c.cs = charsetOf(a.Encoding)
	c.out.cs = c.cs
}

// accountRefresh is how long a connection acts on its account as read:
// then it reads it again, so that a change of policy (carrel sip2 set)
// reaches a machine that stays connected for days.
const accountRefresh = time.Minute

// refreshAccount reads the connection's account again when it was read
// accountRefresh ago or more. An account that no longer exists leaves the
// connection as if it had never logged in. When it cannot be read, the
// connection goes on as it was and tries again later.
func (c *conn) refreshAccount() {
	now := c.srv.svc.Now()
	if c.account == nil || now.Sub(c.accountAt) < accountRefresh {
		return
	}
	a, err := c.srv.svc.SIPAccountByLogin(c.srv.ctx, c.account.Login)
	switch {
	case err == nil:
		c.setAccount(a)
	case library.IsCode(err, library.ENOTFOUND):
		c.account, c.actor, c.cs, c.out.cs = nil, "", nil, nil
		c.forgetPatron()
	default:
		c.accountAt = now
	}
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

// idleTimeout is how long the connection may stay silent: a connection
// not logged in has seconds to do so, a kiosk's minutes between patrons.
func (c *conn) idleTimeout() time.Duration {
	if c.account == nil {
		return c.srv.opts.LoginTimeout
	}
	return c.srv.opts.IdleTimeout
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
