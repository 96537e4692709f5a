package sip2

import (
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
	// MaxConns is how many connections may be open at once; one accepted
	// beyond it is closed at once, unanswered (the library's
	// limits.sip2_max_connections when zero). Each connection holds a
	// goroutine and about 12 KiB of buffers.
	MaxConns int
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

	// Connections refused at the limit since the last log line, and when
	// that line was written. Only the accept goroutine touches them.
	refused    int
	refusedLog time.Time
}

// New builds a server over the library service.
func New(svc *library.Service, opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:6001"
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = svc.Config().Limits.SIP2MaxConnections
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cat, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("sip2: %w", err)
	}
	s := &Server{svc: svc, cfg: svc.Config(), log: opts.Logger, metrics: opts.Metrics, opts: opts,
		en: cat.Printer(i18n.English), zh: cat.Printer(i18n.TraditionalChinese), conns: map[*conn]struct{}{}}
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
		if len(s.conns) >= s.opts.MaxConns {
			s.mu.Unlock()
			nc.Close()
			s.refuse()
			continue
		}
		c := newConn(s, nc)
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// refuse counts a connection closed at the limit and logs the count at
// most once per refusedLogEvery. The client's address is not logged: a
// gate or proxy may relay for patrons, and the count is what an operator
// needs to raise limits.sip2_max_connections.
func (s *Server) refuse() {
	s.refused++
	if now := time.Now(); now.Sub(s.refusedLog) >= refusedLogEvery {
		s.log.Warn("sip2: connections refused at the limit", "limit", s.opts.MaxConns, "refused", s.refused)
		s.refused, s.refusedLog = 0, now
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
