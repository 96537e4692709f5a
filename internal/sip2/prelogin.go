package sip2

// A connection that has not logged in holds a slot of MaxConns and a
// goroutine, and costs its client nothing: connections that only send 99,
// or nothing, could take every slot from the kiosks. So they get seconds
// of silence, not minutes (Options.LoginTimeout), and at most
// MaxBeforeLogin of them are open at once. Beyond that a new connection
// takes the place of the oldest idle one: a machine logs in as soon as it
// connects, so the oldest is the one most likely only to wait, and a
// flood of connections cannot keep out a kiosk that connects during it,
// as refusing the newest would.

// makeRoom closes the oldest connection not logged in that is not in a
// transaction (a login being checked is left to finish), and reports
// whether there was one. The caller holds s.mu.
func (s *Server) makeRoom() bool {
	for e := s.waiting.Front(); e != nil; e = e.Next() {
		c := e.Value.(*conn)
		if c.busy {
			continue
		}
		s.waiting.Remove(e)
		c.waiting = nil
		c.stop()
		return true
	}
	return false
}

// setBusy marks a connection not logged in as in a transaction or not.
// A connection bound to an account is not tracked, and takes no lock.
func (s *Server) setBusy(c *conn, busy bool) {
	if !c.preLogin {
		return
	}
	s.mu.Lock()
	c.busy = busy
	s.mu.Unlock()
}

// loggedIn takes a connection just bound to an account off the list of
// those not logged in: it no longer counts against MaxBeforeLogin.
func (s *Server) loggedIn(c *conn) {
	if !c.preLogin {
		return
	}
	c.preLogin = false
	s.mu.Lock()
	if c.waiting != nil {
		s.waiting.Remove(c.waiting)
		c.waiting = nil
	}
	c.busy = false
	s.mu.Unlock()
}
