package cli_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/pgtest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the carrel binary the tests built, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// carrelBinary builds cmd/carrel once per test run and returns its path.
func carrelBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "carrel-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "carrel")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/carrel-library/carrel/cmd/carrel").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// node is a running `carrel serve` process.
type node struct {
	url  string // the web service
	sip2 string // the SIP2 service's address
	cmd  *exec.Cmd
}

// servingLine is what serve prints of its web address; sip2Line (in
// sip2_test.go) of its SIP2 address.
var servingLine = regexp.MustCompile(`Carrel is serving .* on (https?://\S+)`)

// startNode starts `carrel serve` with web and SIP2 on free ports and waits
// until it says where it listens. The process is stopped with SIGTERM when
// the test ends.
func startNode(t *testing.T, bin string, args ...string) *node {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--http", "127.0.0.1:0", "--sip2", "127.0.0.1:0"}, withSecretKeyFile(bin, args)...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &node{cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("node %s: %v\n%s", n.url, err, stderr.String())
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("node %s did not stop on SIGTERM", n.url)
		}
	})
	web, sip := make(chan string, 1), make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				web <- m[1]
			}
			if m := sip2Line.FindStringSubmatch(sc.Text()); m != nil {
				sip <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	for n.url == "" || n.sip2 == "" {
		select {
		case n.url = <-web:
		case n.sip2 = <-sip:
		case <-time.After(30 * time.Second):
			t.Fatalf("carrel serve did not start: %s", stderr.String())
		}
	}
	return n
}

// browser is a patron's HTTP client: it keeps cookies and does not follow
// redirects, so the test sees them.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func send(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// fillCluster creates the schema and the patrons the two-node test uses,
// each with a chosen PIN, 100 students on the preset PIN who borrow over
// SIP2 (a kiosk without AD checks the card, not the PIN), and 10 items.
func fillCluster(t *testing.T, target string, pins map[string]string) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h := library.NewHasher(0)
	for barcode, pin := range pins {
		hash, err := h.Hash(ctx, pin)
		if err != nil {
			t.Fatal(err)
		}
		p := library.Patron{Barcode: barcode, Category: "student", Name: "Patron " + barcode,
			RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2030, 8, 31),
			PIN: library.PINRecord{Kind: library.PINChosen, Hash: hash, SetAt: time.Now()}}
		if err := db.Update(ctx, func(tx library.Tx) error { return tx.CreatePatron(&p) }); err != nil {
			t.Fatal(err)
		}
	}
	err = db.Update(ctx, func(tx library.Tx) error {
		for i := range 100 {
			p := library.Patron{Barcode: fmt.Sprintf("25%06d", i), Category: "student", Name: fmt.Sprint("Borrower ", i),
				RegisteredOn: library.NewDate(2025, 9, 1), ExpiresOn: library.NewDate(2030, 8, 31),
				PIN: library.PINRecord{Kind: library.PINPreset}}
			if err := tx.CreatePatron(&p); err != nil {
				return err
			}
		}
		for i := range 10 {
			it := library.Item{Barcode: fmt.Sprintf("3900%03d", i), Title: fmt.Sprint("Reserve copy ", i)}
			if err := tx.CreateItem(&it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sip2Checkout logs in to a node's SIP2 service as the kiosk and checks the
// item out to the patron on a connection of its own; it reports whether
// the 12 said ok.
func sip2Checkout(addr, patron, item string) (bool, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	r := bufio.NewReader(conn)
	ask := func(msg string) (string, error) {
		if _, err := io.WriteString(conn, msg+"\r"); err != nil {
			return "", err
		}
		return r.ReadString('\r')
	}
	if reply, err := ask("9300CNkiosk1|COself-check-2026|CPMAIN-GF|"); err != nil || !strings.HasPrefix(reply, "941") {
		return false, fmt.Errorf("login: %q, %v", reply, err)
	}
	now := time.Now().Format("20060102    150405")
	reply, err := ask("11NN" + now + now + "AOHKCT|AA" + patron + "|AB" + item + "|AC|")
	if err != nil || !strings.HasPrefix(reply, "12") || len(reply) < 3 {
		return false, fmt.Errorf("checkout: %q, %v", reply, err)
	}
	return reply[2] == '1', nil
}

// Two real `carrel serve` processes on one PostgreSQL are one library: a
// session made on one works on the other, sign-in failures are counted
// across both, an unlock frees a barcode on both, and the periodic clean-up runs once per interval for the
// cluster, not once per node.
func TestTwoNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("two-node test skipped in -short mode")
	}
	target := pgtest.URL(t)
	bin := carrelBinary(t)
	fillCluster(t, target, map[string]string{"24000001": "reading-lamp-42", "24000002": "quiet-floor-77"})
	cfg := filepath.Join(t.TempDir(), "carrel.json")
	if err := os.WriteFile(cfg, []byte(`{"sweep_every": "1s"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := carrel(t, "self-check-2026\n", "sip2", "add-account", "kiosk1", "--institution", "HKCT", "--db", target); code != 0 {
		t.Fatalf("sip2 add-account: exit %d: %s", code, stderr)
	}
	started := time.Now()
	a := startNode(t, bin, "--db", target, "--config", cfg)
	b := startNode(t, bin, "--db", target, "--config", cfg)

	// 100 kiosks check out 10 items at once, half through each node: 10 loans.
	var wg sync.WaitGroup
	var mu sync.Mutex
	lent, refused := 0, 0
	for i := range 100 {
		addr := []*node{a, b}[i%2].sip2
		wg.Go(func() {
			ok, err := sip2Checkout(addr, fmt.Sprintf("25%06d", i), fmt.Sprintf("3900%03d", i%10))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Error(err)
			case ok:
				lent++
			default:
				refused++
			}
		})
	}
	wg.Wait()
	if lent != 10 || refused != 90 {
		t.Errorf("100 SIP2 check-outs of 10 items over two nodes: %d lent, %d refused; want 10 and 90", lent, refused)
	}
	t.Logf("100 concurrent SIP2 check-outs of 10 items over two nodes: %d lent, %d refused", lent, refused)

	// A session made on node A works on node B, and signing out on B ends it on A.
	c := browser(t)
	if code, _ := send(t, c, "POST", a.url+"/account/login", url.Values{"barcode": {"24000001"}, "pin": {"reading-lamp-42"}}); code != http.StatusSeeOther {
		t.Fatalf("sign in on node A: %d, want 303", code)
	}
	code, page := send(t, c, "GET", b.url+"/account", nil)
	if code != http.StatusOK || !strings.Contains(page, "Patron 24000001") {
		t.Fatalf("borrowing record on node B with node A's session: %d\n%s", code, page)
	}
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the borrowing record")
	}
	if code, _ := send(t, c, "POST", b.url+"/account/logout", url.Values{"csrf": {m[1]}}); code != http.StatusSeeOther {
		t.Fatalf("log out on node B: %d, want 303", code)
	}
	if code, _ := send(t, c, "GET", a.url+"/account", nil); code != http.StatusSeeOther {
		t.Errorf("node A after logging out on node B: %d, want 303 to the sign-in page", code)
	}

	// Ten wrong PINs spread over both nodes lock the barcode on both.
	nodes := []*node{a, b}
	for i := range 10 {
		code, _ := send(t, browser(t), "POST", nodes[i%2].url+"/account/login", url.Values{"barcode": {"24000002"}, "pin": {fmt.Sprint("wrong-", i)}})
		if code != http.StatusUnauthorized {
			t.Fatalf("wrong PIN %d on node %d: %d, want 401", i+1, i%2, code)
		}
	}
	for i, n := range nodes {
		code, _ := send(t, browser(t), "POST", n.url+"/account/login", url.Values{"barcode": {"24000002"}, "pin": {"quiet-floor-77"}})
		if code != http.StatusTooManyRequests {
			t.Errorf("right PIN on node %d after 10 failures across nodes: %d, want 429", i, code)
		}
	}

	// Unlocking from the command line frees the barcode on both nodes at once.
	if code, stdout, stderr := carrel(t, "", "patron", "unlock", "24000002", "--db", target); code != 0 {
		t.Fatalf("patron unlock: exit %d: %s%s", code, stdout, stderr)
	}
	for i, n := range nodes {
		code, _ := send(t, browser(t), "POST", n.url+"/account/login", url.Values{"barcode": {"24000002"}, "pin": {"quiet-floor-77"}})
		if code != http.StatusSeeOther {
			t.Errorf("right PIN on node %d after the unlock: %d, want 303", i, code)
		}
	}

	// The clean-up runs once per second in the cluster: each node tries five
	// times a second, so without the claim it would run about ten times.
	time.Sleep(3 * time.Second)
	elapsed := time.Since(started)
	ctx := context.Background()
	db, err := storage.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var runs int64
	if err := db.View(ctx, func(tx library.Tx) error {
		var err error
		runs, err = tx.JobRuns(library.JobSweep)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if most := int64(elapsed/time.Second) + 1; runs < 2 || runs > most {
		t.Errorf("sweep ran %d times in %v on two nodes, want between 2 and %d", runs, elapsed.Round(time.Millisecond), most)
	}
	t.Logf("sweep ran %d times in %v on two nodes", runs, elapsed.Round(time.Millisecond))
}
