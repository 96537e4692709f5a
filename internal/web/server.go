// Package web serves the patron's My Account (and later the staff desk):
// server-rendered pages that work without JavaScript, in English and
// Traditional Chinese, over the library domain's Service.
package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/metrics"
)

// Limits of the HTTP server. Sign-ins may queue for a free argon2id slot,
// so writes get more time than reads.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

// Options configure the web server.
type Options struct {
	Addr   string       // listen address; port 0 picks a free port
	Logger *slog.Logger // where internal errors go; never personal data
	// TLS, when set, makes the server speak HTTPS only; cookies then become
	// Secure and the session cookie takes the __Host- prefix.
	TLS *tls.Config
	// Metrics, when set, counts every request and sign-in failure and is
	// served at GET /metrics.
	Metrics *metrics.Metrics
}

// Server is the web service.
type Server struct {
	svc     *library.Service
	cfg     *library.Config
	cat     *i18n.Catalogue
	log     *slog.Logger
	metrics *metrics.Metrics // nil: nothing counted, no /metrics
	opts    Options
	tls     bool
	assets  *assets
	pages   map[string]map[string]*template.Template // language code → page → template
	handler http.Handler

	srv *http.Server
	ln  net.Listener
}

// New builds the server: parses templates and the message catalogue (failing fast).
func New(svc *library.Service, opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:8080"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cat, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{svc: svc, cfg: svc.Config(), cat: cat, log: opts.Logger, metrics: opts.Metrics, opts: opts, tls: opts.TLS != nil, assets: a}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Open binds the address and starts serving in a goroutine.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("web: listen: %w", err)
	}
	if s.opts.TLS != nil {
		ln = tls.NewListener(ln, s.opts.TLS)
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("web: serve", "err", err)
		}
	}()
	return nil
}

// URL returns the base URL the server answers on, e.g. http://127.0.0.1:8080.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	scheme := "http"
	if s.tls {
		scheme = "https"
	}
	return scheme + "://" + s.ln.Addr().String()
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops accepting requests and waits for running ones until ctx ends.
func (s *Server) Close(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}
