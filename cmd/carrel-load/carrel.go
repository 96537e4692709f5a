package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// carrelCommand runs Carrel itself: `carrel-load carrel serve ...` is
// `carrel serve ...`, so the tool starts the server it measures without a
// separately built binary.
const carrelCommand = "carrel"

// carrelProc is a running `carrel serve` child process.
type carrelProc struct {
	URL  string // the web service, e.g. http://127.0.0.1:41234
	SIP2 string // the SIP2 service's address, e.g. 127.0.0.1:41235
	cmd  *exec.Cmd
	out  strings.Builder // its output, for an error message
	mu   sync.Mutex
	done chan struct{}
	err  error
}

var (
	servingLine = regexp.MustCompile(`Carrel is serving .* on (https?://\S+)`)
	sip2Line    = regexp.MustCompile(`^SIP2: (\S+)$`)
)

// startCarrel starts `carrel serve` on the database db with web and SIP2
// on free loopback ports, plus any extra arguments, and waits until it
// says where it listens.
func startCarrel(ctx context.Context, db string, extra ...string) (*carrelProc, error) {
	args := append([]string{carrelCommand, "serve", "--db", db, "--http", "127.0.0.1:0", "--sip2", "127.0.0.1:0"}, extra...)
	if strings.HasPrefix(db, "postgres") {
		// PostgreSQL has no file to keep the library's secret key beside:
		// each library the tool builds gets one of its own, the same file
		// for every start on that library.
		sum := sha256.Sum256([]byte(db))
		key := filepath.Join(os.TempDir(), "carrel-load-"+hex.EncodeToString(sum[:8])+".key")
		args = append(args, "--secret-key-file", key)
	}
	p := &carrelProc{done: make(chan struct{})}
	p.cmd = exec.Command(self(), args...)
	pipe, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.cmd.Stderr = p.cmd.Stdout
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	web, sip := make(chan string, 1), make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			if p.out.Len() < 64<<10 {
				p.out.WriteString(line + "\n")
			}
			p.mu.Unlock()
			if m := servingLine.FindStringSubmatch(line); m != nil {
				web <- m[1]
			}
			if m := sip2Line.FindStringSubmatch(line); m != nil {
				sip <- m[1]
			}
		}
		io.Copy(io.Discard, pipe)
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	timeout := time.After(60 * time.Second)
	for p.URL == "" || p.SIP2 == "" {
		select {
		case p.URL = <-web:
		case p.SIP2 = <-sip:
		case <-p.done:
			return nil, fmt.Errorf("carrel serve exited before serving: %v\n%s", p.err, p.output())
		case <-ctx.Done():
			p.Stop()
			return nil, ctx.Err()
		case <-timeout:
			p.Stop()
			return nil, fmt.Errorf("carrel serve did not start in 60 s:\n%s", p.output())
		}
	}
	return p, nil
}

// Pid is the server's process id, for reading its memory and CPU use.
func (p *carrelProc) Pid() int { return p.cmd.Process.Pid }

// output is what the process has printed so far.
func (p *carrelProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Stop asks the server to shut down (SIGTERM) and waits for it, killing it
// after 15 seconds.
func (p *carrelProc) Stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// carrelRun runs one Carrel command (e.g. demo, import) to its end, its
// output going to w.
func carrelRun(ctx context.Context, w io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, self(), append([]string{carrelCommand}, args...)...)
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("carrel %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// self is this program's own executable.
func self() string {
	exe, err := os.Executable()
	if err != nil {
		return os.Args[0]
	}
	return exe
}
