package cli_test

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// Bytes returns a copy of everything written so far.
func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// serveProcess is a `carrel serve` process whose whole output the test
// keeps, and which the test may kill -9 or stop with SIGTERM.
type serveProcess struct {
	url    string // the web service
	sip2   string // the SIP2 service's address
	cmd    *exec.Cmd
	stdout lockedBuffer
	stderr lockedBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // its exit, once done is closed
}

// startServeProcess starts `carrel serve` with web and SIP2 on free ports
// and waits until it says where it listens. Unlike startNode it leaves the
// ending to the test (kill or stop); a process still running when the test
// ends is killed.
func startServeProcess(t *testing.T, bin string, args ...string) *serveProcess {
	t.Helper()
	p := &serveProcess{done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--http", "127.0.0.1:0", "--sip2", "127.0.0.1:0"}, withSecretKeyFile(bin, args)...)...)
	pipe, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	web, sip := make(chan string, 1), make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(&p.stdout, line)
			if m := servingLine.FindStringSubmatch(line); m != nil {
				web <- m[1]
			}
			if m := sip2Line.FindStringSubmatch(line); m != nil {
				sip <- m[1]
			}
		}
		io.Copy(&p.stdout, pipe)
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	for p.url == "" || p.sip2 == "" {
		select {
		case p.url = <-web:
		case p.sip2 = <-sip:
		case <-p.done:
			t.Fatalf("carrel serve exited before serving: %v\n%s", p.err, p.stderr.Bytes())
		case <-time.After(30 * time.Second):
			t.Fatalf("carrel serve did not start: %s", p.stderr.Bytes())
		}
	}
	return p
}

// kill ends the process with SIGKILL, as a power cut or the kernel's OOM
// killer would, and waits until it is gone.
func (p *serveProcess) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to shut down (SIGTERM) and returns its exit.
func (p *serveProcess) stop(t *testing.T) error {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(15 * time.Second):
		p.kill()
		return fmt.Errorf("carrel serve did not stop on SIGTERM")
	}
}

// output is everything the process wrote to standard output and error.
func (p *serveProcess) output() []byte {
	return append(p.stdout.Bytes(), p.stderr.Bytes()...)
}

// kioskConn is a SIP2 connection of a self-check machine.
type kioskConn struct {
	nc net.Conn
	r  *bufio.Reader
}

// dialSIP2 connects to a SIP2 service without logging in.
func dialSIP2(addr string) (*kioskConn, error) {
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	return &kioskConn{nc: nc, r: bufio.NewReader(nc)}, nil
}

// dialKiosk connects to a SIP2 service and logs in as login.
func dialKiosk(addr, login, password string) (*kioskConn, error) {
	k, err := dialSIP2(addr)
	if err != nil {
		return nil, err
	}
	reply, err := k.ask("9300CN" + login + "|CO" + password + "|CPMAIN-GF|")
	if err != nil || !strings.HasPrefix(reply, "941") {
		k.close()
		return nil, fmt.Errorf("SIP2 login as %s: %q, %v", login, reply, err)
	}
	return k, nil
}

// ask sends one message and reads the answer, without its trailing CR.
func (k *kioskConn) ask(msg string) (string, error) {
	k.nc.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(k.nc, msg+"\r"); err != nil {
		return "", err
	}
	reply, err := k.r.ReadString('\r')
	return strings.TrimSuffix(reply, "\r"), err
}

func (k *kioskConn) close() { k.nc.Close() }

// sipNow is a SIP2 transaction date for now.
func sipNow() string { return time.Now().Format("20060102    150405") }

// checkout sends 11 Checkout and reports whether the 12 said ok for this
// patron and item.
func (k *kioskConn) checkout(patron, item string) (bool, error) {
	now := sipNow()
	reply, err := k.ask("11NN" + now + now + "AOHKCT|AA" + patron + "|AB" + item + "|AC|")
	if err != nil {
		return false, err
	}
	if !strings.HasPrefix(reply, "12") || len(reply) < 3 {
		return false, fmt.Errorf("checkout of %s: answer %q", item, reply)
	}
	if reply[2] != '1' {
		return false, nil
	}
	if !strings.Contains(reply, "|AA"+patron+"|") || !strings.Contains(reply, "|AB"+item+"|") {
		return false, fmt.Errorf("checkout of %s to %s: ok for something else: %q", item, patron, reply)
	}
	return true, nil
}

// checkin sends 09 Checkin and reports whether the 10 said ok.
func (k *kioskConn) checkin(item string) (bool, error) {
	now := sipNow()
	reply, err := k.ask("09N" + now + now + "APMAIN-GF|AOHKCT|AB" + item + "|AC|")
	if err != nil {
		return false, err
	}
	if !strings.HasPrefix(reply, "10") || len(reply) < 3 {
		return false, fmt.Errorf("checkin of %s: answer %q", item, reply)
	}
	return reply[2] == '1' && strings.Contains(reply, "|AB"+item+"|"), nil
}

// webClient is a browser, at the staff desk or a patron's: it keeps its
// cookies and does not follow redirects.
type webClient struct {
	base     string
	c        *http.Client
	location string // the Location of the last answer
}

func newWebClient(t *testing.T, base string) *webClient {
	return &webClient{base: base, c: browser(t)}
}

// do sends a request and reads the whole answer.
func (d *webClient) do(method, path string, form url.Values) (int, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, d.base+path, body)
	if err != nil {
		return 0, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := d.c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	d.location = res.Header.Get("Location")
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

// signIn signs in at /staff/login.
func (d *webClient) signIn(username, password string) error {
	code, page, err := d.do("POST", "/staff/login", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		return err
	}
	if code != http.StatusSeeOther {
		return fmt.Errorf("staff sign-in as %s: %d\n%s", username, code, page)
	}
	return nil
}

var (
	hiddenRequest = regexp.MustCompile(`name="request" value="([^"]*)"`)
	hiddenLines   = regexp.MustCompile(`name="lines" value="([^"]*)"`)
)

// checkoutForm opens the check-out desk for the patron and returns the
// form's CSRF and request tokens.
func (d *webClient) checkoutForm(patron string) (csrf, request string, err error) {
	code, page, err := d.do("GET", "/staff/checkout?patron="+url.QueryEscape(patron), nil)
	if err != nil {
		return "", "", err
	}
	c, r := csrfInput.FindStringSubmatch(page), hiddenRequest.FindStringSubmatch(page)
	if code != http.StatusOK || c == nil || r == nil {
		return "", "", fmt.Errorf("check-out desk for %s: %d, no form", patron, code)
	}
	return html.UnescapeString(c[1]), html.UnescapeString(r[1]), nil
}

// checkout scans an item at the check-out desk for the patron, with the
// form's tokens, and reports whether the newest line of the answer says
// the item was lent to that patron.
func (d *webClient) checkout(patron, item, csrf, request string) (bool, error) {
	code, page, err := d.do("POST", "/staff/checkout", url.Values{"csrf": {csrf}, "request": {request},
		"patron": {patron}, "item": {item}, "lines": {""}})
	if err != nil {
		return false, err
	}
	m := hiddenLines.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		return false, fmt.Errorf("check-out of %s: %d\n%.500s", item, code, page)
	}
	lines := html.UnescapeString(m[1])
	return strings.HasPrefix(lines, `[{"k":"lent","i":"`+item+`",`) && strings.Contains(lines, `"p":"`+patron+`"`), nil
}
