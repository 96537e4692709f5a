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
	setMemoryLimit()
	svc, db, err := e.open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()

	demoNote := ""
	if *withDemo {
		switch err := demo.Fill(ctx, svc); {
		case errors.Is(err, demo.ErrNotEmpty):
			demoNote = fmt.Sprintf("%s already holds a library, so no demo data was added. If it is the demo library\n"+
				"from an earlier run, these sign-in details still work, except for PINs changed since.\n", storage.Describe(e.db))
		case err != nil:
			return fmt.Errorf("demo: %w", err)
		}
	}

	m := metrics.New()
	for name, pool := range db.Pools() {
		m.WatchDB(name, pool)
	}
	srv, err := web.New(svc, web.Options{Addr: *httpAddr, Logger: log, Metrics: m, TLS: tlsConfig})
	if err != nil {
		return err
	}
	if err := srv.Open(); err != nil {
		return err
	}
	var sipSrv *sip2.Server
	if *sip2Addr != "" {
		if sipSrv, err = sip2.New(svc, sip2.Options{Addr: *sip2Addr, IdleTimeout: *sip2Idle, Logger: log, Metrics: m,
			MaxConns: svc.Config().Limits.SIP2MaxConnections}); err == nil {
			err = sipSrv.Open()
		}
		if err != nil {
			srv.Close(context.Background())
			return err
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

// memoryBase is what serve needs besides its argon2id work: the Go heap
// of pages, sessions and a few hundred connections, with room to spare
// (idle, the whole process is about 30 MiB resident).
const memoryBase = 32 << 20

// setMemoryLimit sets the Go runtime's soft memory limit to memoryBase
// plus twice the argon2id memory of one hash per CPU (the hasher's bound):
// once for the hashes in flight, once for those just finished. Each hash
// leaves 19 MiB of garbage; without a limit the collector lets it pile up
// to twice the live heap, and a sign-in burst then holds about 40% more
// memory (measured: 156 to 182 MiB peak on 2 CPUs, against about 140 with
// the limit). GOMEMLIMIT, when set, is the operator's choice and wins.
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(memoryBase + 2*int64(runtime.NumCPU())*library.ArgonMemoryKiB<<10)
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
