package main

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/carrel-library/carrel/internal/cli"
	"github.com/carrel-library/carrel/internal/library"
)

// webClient is an HTTP client for many concurrent requests to one server
// that follows no redirects, so that a sign-in's answer is seen as it is.
func webClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns * 2
	t.MaxIdleConnsPerHost = conns * 2
	return &http.Client{
		Transport:     t,
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// sessions are the session cookies of signed-in load-test students.
type sessions struct {
	mu      sync.Mutex
	cookies map[string][]*http.Cookie // by barcode
	busy    atomic.Int64              // sign-ins answered 503 (the sign-in queue was full)
	refused atomic.Int64              // sign-ins refused otherwise
}

// signIn signs the student in (POST /account/login) and keeps the session
// cookie: a success is a 303 to the borrowing record.
func (s *sessions) signIn(ctx context.Context, c *http.Client, base, barcode, pin string) error {
	form := url.Values{"barcode": {barcode}, "pin": {pin}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/account/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		s.busy.Add(1)
		return fmt.Errorf("sign-in: %s (the sign-in queue is full)", resp.Status)
	}
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/account") {
		s.refused.Add(1)
		return fmt.Errorf("sign-in: %s to %q, want 303 to /account", resp.Status, resp.Header.Get("Location"))
	}
	s.mu.Lock()
	s.cookies[barcode] = resp.Cookies()
	s.mu.Unlock()
	return nil
}

// signedIn lists the students with a session.
func (s *sessions) signedIn() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.cookies))
	for b := range s.cookies {
		out = append(out, b)
	}
	return out
}

// runSignIns is the sign-in scenario: clients sign the load-test students
// in, one after another round the range, each with the right PIN.
func runSignIns(ctx context.Context, base string, students []string, pin string, clients int, d time.Duration) (loadResult, *sessions) {
	s := &sessions{cookies: map[string][]*http.Cookie{}}
	c := webClient(clients)
	var next atomic.Int64
	res := drive(ctx, clients, d, func(ctx context.Context, _ int) error {
		b := students[int(next.Add(1)-1)%len(students)]
		// A sign-in in flight at the end of the run is let finish (and
		// counted, with the time it took): on a busy machine a short run
		// may otherwise end before any sign-in does.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		return s.signIn(ctx, c, base, b, pin)
	})
	return res, s
}

// argonFloor hashes the PIN with argon2id at Carrel's parameters on one
// goroutine per CPU, as fast as they go: the most sign-ins a second the
// machine could check.
//
// The floor runs under the soft memory limit that `carrel serve` sets
// (cli.MemoryLimit), so that the Go runtime reuses the hashes' memory as
// it does in the server rather than faulting in new pages. It keeps Go's
// own collector pace rather than serve's lower cli.GCPercent: the floor is
// argon2id as the library gives it, not tuned the way Carrel is.
func argonFloor(ctx context.Context, pin string, d time.Duration) loadResult {
	old := debug.SetMemoryLimit(cli.MemoryLimit())
	defer debug.SetMemoryLimit(old)
	return drive(ctx, runtime.NumCPU(), d, func(context.Context, int) error {
		salt := make([]byte, library.ArgonSaltLen)
		crand.Read(salt)
		argon2.IDKey([]byte(pin), salt, library.ArgonTime, library.ArgonMemoryKiB, library.ArgonThreads, library.ArgonKeyLen)
		return nil
	})
}

// runRecords is the borrowing record scenario: clients request GET
// /account for random signed-in students.
func runRecords(ctx context.Context, base string, s *sessions, clients int, d time.Duration) loadResult {
	students := s.signedIn()
	c := webClient(clients)
	return drive(ctx, clients, d, func(ctx context.Context, _ int) error {
		b := students[rand.IntN(len(students))]
		s.mu.Lock()
		cookies := s.cookies[b]
		s.mu.Unlock()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/account", nil)
		if err != nil {
			return err
		}
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		return getOK(c, req, "/account")
	})
}

// runFloorRecords requests the floor server's borrowing record for random
// students in the same way.
func runFloorRecords(ctx context.Context, base string, students []string, clients int, d time.Duration) loadResult {
	c := webClient(clients)
	return drive(ctx, clients, d, func(ctx context.Context, _ int) error {
		b := students[rand.IntN(len(students))]
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/record?barcode="+url.QueryEscape(b), nil)
		if err != nil {
			return err
		}
		return getOK(c, req, "/record")
	})
}

// getOK does req and reads the answer whole, which must be 200.
func getOK(c *http.Client, req *http.Request, what string) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s (%d bytes)", what, resp.Status, n)
	}
	return nil
}
