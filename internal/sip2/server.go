package sip2

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/metrics"
)

// DefaultIdleTimeout is how long a connection may stay silent before it is closed.
const DefaultIdleTimeout = 5 * time.Minute

// DefaultLoginTimeout is how long a connection that has not logged in may
// stay silent: a machine logs in as soon as it connects, so seconds are
// plenty, and a connection that only waits gives its slot back soon.
const DefaultLoginTimeout = 10 * time.Second

// refusedLogEvery is how often refusals at the connection limit are
// logged: a flood of connections must not become a flood of log lines.
const refusedLogEvery = 10 * time.Second

// maxFailedLogins is how many failed 93 logins a connection may make; the
// next failure closes it.
const maxFailedLogins = 3

// Options configure the SIP2 server.
type Options struct {
	Addr string // listen address, e.g. 127.0.0.1:6001; port 0 picks a free port
	// IdleTimeout closes a connection that sends nothing for this long
	// (DefaultIdleTimeout when zero).
	IdleTimeout time.Duration
	// LoginTimeout closes a connection that has not logged in (nor been
	// bound to an account that needs no login) when it sends nothing for
	// this long (DefaultLoginTimeout when zero; never more than IdleTimeout).
	LoginTimeout time.Duration
	// MaxConns is how many connections may be open at once; one accepted
	// beyond it is closed at once, unanswered (the library's
	// limits.sip2_max_connections when zero). Each connection holds a
	// goroutine and about 12 KiB of buffers.
	MaxConns int
	// MaxBeforeLogin is how many of the MaxConns connections may be open
	// without having logged in (the library's limits.sip2_max_before_login,
	// or a quarter of MaxConns, when zero). A connection accepted beyond
	// it closes the oldest of them that is not in a transaction, or, when
	// all are, is itself closed at once.
	MaxBeforeLogin int
	// Logger receives internal errors. PINs and passwords are never logged.
	Logger *slog.Logger
	// Metrics, when set, counts every transaction and PIN failure.
	Metrics *metrics.Metrics
}

// Server is the SIP2 service. It binds in Open, serves each connection in
// its own goroutine, and stops in Close.
type Server struct {
	svc     *library.Service
	cfg     *library.Config
	en, zh  *i18n.Printer
	log     *slog.Logger
	metrics *metrics.Metrics
	opts    Options

	// ctx is what transactions run under: it ends only when Close gives up
	// waiting, so that a shutdown finishes the transactions in flight.
	ctx    context.Context
	cancel context.CancelFunc

	ln     net.Listener
	mu     sync.Mutex
	conns  map[*conn]struct{}
	closed bool
	wg     sync.WaitGroup
	// waiting lists the connections not logged in, oldest first (*conn).
	waiting *list.List

	// Connections turned away since the last log line of each kind. Only
	// the accept goroutine touches them.
	refused, refusedBeforeLogin, closedForRoom tally
}

// New builds a server over the library service.
func New(svc *library.Service, opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:6001"
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.LoginTimeout <= 0 {
		opts.LoginTimeout = DefaultLoginTimeout
	}
	opts.LoginTimeout = min(opts.LoginTimeout, opts.IdleTimeout)
	if opts.MaxConns <= 0 {
		opts.MaxConns = svc.Config().Limits.SIP2MaxConnections
	}
	if opts.MaxBeforeLogin <= 0 {
		opts.MaxBeforeLogin = svc.Config().Limits.SIP2BeforeLogin(opts.MaxConns)
	}
	opts.MaxBeforeLogin = min(opts.MaxBeforeLogin, opts.MaxConns)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cat, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("sip2: %w", err)
	}
	s := &Server{svc: svc, cfg: svc.Config(), log: opts.Logger, metrics: opts.Metrics, opts: opts,
		en: cat.Printer(i18n.English), zh: cat.Printer(i18n.TraditionalChinese), conns: map[*conn]struct{}{}, waiting: list.New()}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Open binds the address and starts accepting connections in a goroutine.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("sip2: listen: %w", err)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.accept()
	return nil
}

// Addr returns the address the server listens on, e.g. 127.0.0.1:6001.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// accept serves every new connection until the listener closes.
func (s *Server) accept() {
	defer s.wg.Done()
	var delay time.Duration
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait a little, as
			// net/http does, rather than spin.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Error("sip2: accept", "err", err)
			time.Sleep(delay)
			continue
		}
		delay = 0
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		// Each refusal is counted before the connection is closed, and a
		// connection closed to make room cannot close before s.mu is
		// given back: so the log tells of a refusal before its client can.
		if len(s.conns) >= s.opts.MaxConns {
			s.mu.Unlock()
			s.note(&s.refused, "sip2: connections refused at the limit", s.opts.MaxConns)
			nc.Close()
			continue
		}
		if s.waiting.Len() >= s.opts.MaxBeforeLogin {
			if !s.makeRoom() {
				s.mu.Unlock()
				s.note(&s.refusedBeforeLogin, "sip2: connections refused: too many not logged in", s.opts.MaxBeforeLogin)
				nc.Close()
				continue
			}
			s.note(&s.closedForRoom, "sip2: connections not logged in closed to make room", s.opts.MaxBeforeLogin)
		}
		c := newConn(s, nc)
		s.conns[c] = struct{}{}
		c.waiting = s.waiting.PushBack(c)
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			// Counted out before the client sees the close, so that a
			// client that reconnects at once finds its slot free.
			s.mu.Lock()
			delete(s.conns, c)
			if c.waiting != nil {
				s.waiting.Remove(c.waiting)
				c.waiting = nil
			}
			s.mu.Unlock()
			c.nc.Close()
		}()
	}
}

// tally counts connections turned away for one reason since it was last
// logged, and when that was.
type tally struct {
	n    int
	last time.Time
}

// note counts one connection turned away and logs the count at most once
// per refusedLogEvery. The client's address is not logged: a gate or a
// proxy may relay for patrons, and the count is what an operator needs
// to raise a limit.
func (s *Server) note(t *tally, msg string, limit int) {
	t.n++
	if now := time.Now(); now.Sub(t.last) >= refusedLogEvery {
		s.log.Warn(msg, "limit", limit, "count", t.n)
		t.n, t.last = 0, now
	}
}

// Close stops accepting connections, lets every connection finish the
// transaction it is in, and closes them. When ctx ends first, transactions
// still running are cancelled and their connections closed at once.
func (s *Server) Close(ctx context.Context) error {
	if s.ln == nil {
		return nil
	}
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.stop()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.cancel()
		s.mu.Lock()
		for c := range s.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
		<-done
		err = errors.Join(err, fmt.Errorf("sip2: shutdown: %w", ctx.Err()))
	}
	s.cancel()
	return err
}
