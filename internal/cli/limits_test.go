package cli_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/cli"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
)

// presetLibrary makes a SQLite library of n registered students on the
// barcode preset (the barcode is the PIN, and nothing is hashed to store
// it), barcodes 26000000 onwards, and returns its path.
func presetLibrary(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "carrel.db")
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx library.Tx) error {
		for i := range n {
			p := library.Patron{Barcode: fmt.Sprintf("26%06d", i), Category: "student", Name: fmt.Sprint("Student ", i),
				RegisteredOn: library.NewDate(2025, 9, 1), ExpiresOn: library.NewDate(2030, 8, 31),
				PIN: library.PINRecord{Kind: library.PINPreset}}
			if err := tx.CreatePatron(&p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// writeConfig writes a library configuration file and returns its path.
func writeConfig(t *testing.T, json string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "carrel.json")
	if err := os.WriteFile(path, []byte(json), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// peakRSS reads the peak resident memory of a process (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

const mib = 1 << 20

// burstBound is the stated bound on the peak resident memory of `carrel
// serve` however many sign-ins arrive at once: cli.MemoryLimit, 96 MiB plus
// twice the argon2id memory of one hash per CPU. On 2 CPUs: 172 MiB;
// measured about 120.
func burstBound() int64 { return cli.MemoryLimit() }

// TestSignInBurst proves a burst of 500 simultaneous sign-ins against a
// real `carrel serve` keeps its memory under the stated bound
// (burstBound), that every answer is a proper sign-in
// answer or a 503 with Retry-After and the busy page (never a connection
// error or a 500), and that the process serves normally afterwards.
func TestSignInBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("sign-in burst skipped in -short mode")
	}
	t.Parallel()
	const burst = 500
	db := presetLibrary(t, burst)
	// The per-address limit is raised: every sign-in comes from 127.0.0.1,
	// and this test is about memory and queueing, not the throttle.
	cfg := writeConfig(t, `{"throttle": {"addr_max_failures": 100000}, "limits": {"sign_in_queue": 64}}`)
	n := startNode(t, carrelBinary(t), "--db", db, "--config", cfg)
	pid := n.cmd.Process.Pid
	before := peakRSS(t, pid)

	// One connection per sign-in: 500 clients, not 500 requests over a few.
	tr := &http.Transport{MaxIdleConnsPerHost: -1, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	var (
		mu                    sync.Mutex
		signedIn, wrong, busy int
		zhBusy, enBusy        bool
		start                 = make(chan struct{})
		wg                    sync.WaitGroup
	)
	for i := range burst {
		barcode := fmt.Sprintf("26%06d", i)
		pin := barcode // the barcode preset
		if i%5 == 0 {
			pin = "not-the-pin"
		}
		lang := "en"
		if i%2 == 1 {
			lang = "zh-Hant-HK"
		}
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest("POST", n.url+"/account/login", strings.NewReader(url.Values{"barcode": {barcode}, "pin": {pin}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept-Language", lang)
			res, err := client.Do(req)
			if err != nil {
				t.Errorf("sign-in %s: %v", barcode, err)
				return
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Errorf("sign-in %s: reading the answer: %v", barcode, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case res.StatusCode == http.StatusSeeOther && pin == barcode && res.Header.Get("Location") == "/account/password":
				signedIn++
			case res.StatusCode == http.StatusUnauthorized && pin != barcode:
				wrong++
			case res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") != "":
				busy++
				page := string(body)
				switch {
				case strings.Contains(page, "Many people are signing in right now") && strings.Contains(page, `href="/account/login"`):
					enBusy = true
				case strings.Contains(page, "現時有很多人同時登入"):
					zhBusy = true
				default:
					t.Errorf("busy answer to %s is not the busy page:\n%s", barcode, page)
				}
			default:
				t.Errorf("sign-in %s with PIN right=%v: %d (Location %q, Retry-After %q)", barcode, pin == barcode,
					res.StatusCode, res.Header.Get("Location"), res.Header.Get("Retry-After"))
			}
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(began)
	peak := peakRSS(t, pid)
	bound := burstBound()
	t.Logf("%d simultaneous sign-ins in %v: %d signed in, %d wrong PIN, %d busy (503); peak RSS %.1f MiB before, %.1f MiB after; bound %.1f MiB on %d CPUs",
		burst, took.Round(time.Millisecond), signedIn, wrong, busy, float64(before)/mib, float64(peak)/mib, float64(bound)/mib, runtime.NumCPU())
	if peak > bound {
		t.Errorf("peak RSS %.1f MiB, over the bound of %.1f MiB", float64(peak)/mib, float64(bound)/mib)
	}
	if signedIn == 0 || wrong == 0 {
		t.Errorf("no sign-in got through the burst: %d signed in, %d wrong", signedIn, wrong)
	}
	if busy == 0 || !enBusy || !zhBusy {
		t.Errorf("%d busy answers (English page %v, Chinese page %v): a queue of 64 should have turned some of 500 away in both languages", busy, enBusy, zhBusy)
	}

	// Still serving: a patron signs in and sees the record's next step.
	c := browser(t)
	if code, _ := send(t, c, "POST", n.url+"/account/login", url.Values{"barcode": {"26000001"}, "pin": {"26000001"}}); code != http.StatusSeeOther {
		t.Errorf("sign-in after the burst: %d, want 303", code)
	}
	if code, page := send(t, c, "GET", n.url+"/healthz", nil); code != http.StatusOK || page != "ok" {
		t.Errorf("healthz after the burst: %d %q", code, page)
	}
}

// TestSlowHeaders proves a client that sends its request headers one byte
// every five seconds is cut off at the web server's header timeout (10
// seconds) while patrons signing in at the same time are served. Twenty
// such clients are held open at once.
func TestSlowHeaders(t *testing.T) {
	if testing.Short() {
		t.Skip("slow-client test skipped in -short mode")
	}
	t.Parallel()
	const headerTimeout = 10 * time.Second // web.readHeaderTimeout, the default
	db := presetLibrary(t, 20)
	n := startNode(t, carrelBinary(t), "--db", db)
	host := strings.TrimPrefix(n.url, "http://")

	const slow = 20
	cut := make(chan time.Duration, slow)
	for range slow {
		nc, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		go func() {
			began := time.Now()
			// Reading sees the server close the connection; writing a byte
			// every five seconds keeps the request unfinished.
			closed := make(chan struct{})
			go func() {
				io.Copy(io.Discard, nc)
				close(closed)
			}()
			request := "GET /account/login HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + strings.Repeat("s", 100) + "\r\n\r\n"
		trickle:
			for i := range len(request) {
				if _, err := nc.Write([]byte{request[i]}); err != nil {
					break
				}
				select {
				case <-closed:
					break trickle
				case <-time.After(5 * time.Second):
				}
			}
			<-closed
			cut <- time.Since(began)
		}()
	}

	// While they trickle, patrons sign in.
	time.Sleep(time.Second)
	for i := range 5 {
		barcode := fmt.Sprintf("26%06d", i)
		code, _ := send(t, browser(t), "POST", n.url+"/account/login", url.Values{"barcode": {barcode}, "pin": {barcode}})
		if code != http.StatusSeeOther {
			t.Errorf("sign-in %s while slow clients hold connections: %d, want 303", barcode, code)
		}
		time.Sleep(time.Second)
	}

	// Each slow client is cut at the timeout: not before it, and long
	// before its 130-byte request could finish (650 s at this pace).
	var first, last time.Duration
	for i := range slow {
		select {
		case d := <-cut:
			if d < headerTimeout-time.Second || d > headerTimeout+5*time.Second {
				t.Errorf("slow client cut after %v, want at the %v header timeout", d.Round(time.Millisecond), headerTimeout)
			}
			if i == 0 || d < first {
				first = d
			}
			last = max(last, d)
		case <-time.After(time.Minute):
			t.Fatal("a slow client was not cut off within a minute")
		}
	}
	t.Logf("%d slow clients cut after %v to %v", slow, first.Round(time.Millisecond), last.Round(time.Millisecond))
	if code, _ := send(t, browser(t), "GET", n.url+"/account/login", nil); code != http.StatusOK {
		t.Errorf("sign-in page after the slow clients: %d", code)
	}
}
