package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/carrel-library/carrel/internal/demo"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/metrics"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/web"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("serve", "")
	httpAddr := fs.String("http", "127.0.0.1:8080", "address for the web service (port 0 picks a free port)")
	sip2Addr := fs.String("sip2", "", "address for the SIP2 service, e.g. 127.0.0.1:6001 (off unless given)")
	sip2Idle := fs.Duration("sip2-idle-timeout", sip2.DefaultIdleTimeout, "close a SIP2 connection silent for this long")
	withDemo := fs.Bool("demo", false, "fill an empty database with a demo library and print how to sign in")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	tlsKey := fs.String("tls-key", "", "the PEM private key of --tls-cert")
	keyFile := secretKeyFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "no arguments"); err != nil {
		return err
	}
	tlsConfig, err := loadTLS(*tlsCert, *tlsKey)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	tuneMemory()
	if _, err := secretKeyPath(*keyFile, e.db); err != nil {
		return err // before the database is touched
	}
	svc, db, err := e.open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := e.useSecretKey(ctx, svc, db, *keyFile); err != nil {
		return err
	}

	m := metrics.New()
	for name, pool := range db.Pools() {
		m.WatchDB(name, pool)
	}
	srv, err := web.New(svc, web.Options{Addr: *httpAddr, Logger: log, Metrics: m, TLS: tlsConfig})
	if err != nil {
		return err
	}
	// The addresses are taken before the demo is filled, so that a port
	// already in use stops the start with the database untouched.
	if err := srv.Open(); err != nil {
		return listenHint(err, "--http", "127.0.0.1:8081")
	}
	var sipSrv *sip2.Server
	if *sip2Addr != "" {
		if sipSrv, err = sip2.New(svc, sip2.Options{Addr: *sip2Addr, IdleTimeout: *sip2Idle, Logger: log, Metrics: m,
			MaxConns: svc.Config().Limits.SIP2MaxConnections}); err == nil {
			err = sipSrv.Open()
		}
		if err != nil {
			srv.Close(context.Background())
			return listenHint(err, "--sip2", "127.0.0.1:6002")
		}
	}
	demoNote := ""
	if *withDemo {
		switch err := demo.Fill(ctx, svc); {
		case errors.Is(err, demo.ErrNotEmpty):
			demoNote = fmt.Sprintf("%s already holds a library, so no demo data was added. If it is the demo library\n"+
				"from an earlier run, these sign-in details still work, except for PINs changed since.\n", storage.Describe(e.db))
		case err != nil:
			if sipSrv != nil {
				sipSrv.Close(context.Background())
			}
			srv.Close(context.Background())
			return fmt.Errorf("demo: %w", err)
		}
	}
	fmt.Fprintf(e.stdout, "Carrel is serving %s on %s\n", storage.Describe(e.db), srv.URL())
	if sipSrv != nil {
		fmt.Fprintf(e.stdout, "SIP2: %s\n", sipSrv.Addr())
	}
	if *withDemo {
		fmt.Fprint(e.stdout, demoNote)
		demo.PrintSignIn(e.stdout, srv.URL())
		if sipSrv != nil {
			demo.PrintSIP2(e.stdout, sipSrv.Addr())
		}
	} else {
		fmt.Fprintf(e.stdout, "My Account: %s/account/login\n", srv.URL())
	}

	go sweep(ctx, svc, log)
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log.Info("shutting down")
	var sipErr error
	if sipSrv != nil {
		sipErr = sipSrv.Close(shutdown) // lets in-flight SIP2 transactions finish
	}
	return errors.Join(sipErr, srv.Close(shutdown))
}

// listenHint adds to an address already in use what to do about it: the
// flag that gives another address.
func listenHint(err error, flag, example string) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w\nAnother program is using that address (a Carrel started earlier?): stop it, "+
			"or give another address with %s, e.g. %s %s", err, flag, flag, example)
	}
	return err
}

// memoryBase is what serve needs besides its argon2id work: the program,
// SQLite, the connections of a burst of sign-ins, and what the collector
// lets through while a cycle runs (idle, the whole process is about 30 MiB
// resident).
const memoryBase = 96 << 20

// GCPercent is the collector's GOGC that serve sets unless GOGC is set:
// each argon2id hash leaves 19 MiB of garbage, so the heap is mostly that
// garbage, and a lower GOGC than Go's 100 collects it sooner for little
// work, the live heap being small.
const GCPercent = 50

// MemoryLimit is the soft memory limit serve sets unless GOMEMLIMIT is
// set, and the stated bound on its peak resident memory however many
// sign-ins arrive at once: memoryBase plus twice the argon2id memory of
// one hash per CPU (the hasher's bound: the hashes in flight, and those
// just finished). On 2 CPUs, 172 MiB.
//
// With GCPercent the collector keeps well under it (a burst of 500
// sign-ins peaks at about 120 MiB on 2 CPUs), so it is a backstop rather
// than the pace-setter. A limit close to what the hashes need had the
// runtime hand their memory back to the system and take it again on every
// hash. Against the previous limit of 32 MiB plus twice 19 MiB a CPU at
// Go's GOGC of 100, carrel-load's sign-in ratio rose from 0.61–0.67 to
// 0.75–0.78 in alternating runs, at the same peak memory; the record page,
// which allocates as it renders, fell from 0.74–0.77 to 0.62–0.69 of its
// floor (BENCHMARKS.md).
func MemoryLimit() int64 {
	return memoryBase + 2*int64(runtime.NumCPU())*library.ArgonMemoryKiB<<10
}

// tuneMemory sets the collector's pace and the soft memory limit, where
// GOGC and GOMEMLIMIT, the operator's choice, do not.
func tuneMemory() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit())
	}
}

// loadTLS reads the certificate and key for HTTPS; with neither given the
// web service speaks plain HTTP (behind a TLS terminator, or on a laptop).
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, &usageError{"--tls-cert and --tls-key go together: give both for HTTPS, or neither"}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s and key %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// sweep runs the periodic clean-up until ctx ends. Every node ticks; the
// run is claimed in the database, so the cluster sweeps once per interval.
func sweep(ctx context.Context, svc *library.Service, log *slog.Logger) {
	every := svc.Config().SweepEvery.D()
	t := time.NewTicker(max(every/5, 100*time.Millisecond))
	defer t.Stop()
	for {
		if _, err := svc.RunJob(ctx, library.JobSweep, every, svc.Sweep); err != nil && ctx.Err() == nil {
			log.Error("sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
