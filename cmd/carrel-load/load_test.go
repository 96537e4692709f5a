package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRunEndToEnd runs every scenario of `carrel-load run` for a second
// against a tiny generated library, on SQLite and (when
// CARREL_TEST_POSTGRES is set) PostgreSQL, and checks that each prints a
// line of sensible numbers beside its floor, with no errors.
func TestRunEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tool, generates a library and serves it")
	}
	dir := t.TempDir()
	bin := buildTool(t, dir)
	dbs := map[string][]string{"sqlite": {"--db", filepath.Join(dir, "library.db")}}
	if pg := os.Getenv("CARREL_TEST_POSTGRES"); pg != "" {
		dbs["postgres"] = []string{"--postgres", pg}
	} else {
		t.Log("PostgreSQL run skipped: set CARREL_TEST_POSTGRES to a PostgreSQL URL to run it")
	}
	line := regexp.MustCompile(`(?m)^(\S+) +(\d+\.\d) +(\d+(?:\.\d+)?) ms +(\d+(?:\.\d+)?) ms +(\d+(?:\.\d+)?) ms +(\d+) +(\d+\.\d\d)  cpu (\S+)  n (\d+)  errors (\d+)`)
	for name, dbArgs := range dbs {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			args := append([]string{"run", "--duration", "1s", "--clients", "4", "--sip2-conns", "4", "--circ-conns", "2",
				"--import-patrons", "500",
				"--demo", "--patrons 200 --items 500 --returned-loans 500 --open-loans 50 --load-patrons 8 --heavy 1,10"}, dbArgs...)
			cmd := exec.CommandContext(ctx, bin, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
			}
			out := stdout.String()
			for _, want := range []string{" × ", "kernel ", "go1.", loadHeader} {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in the output:\n%s", want, out)
				}
			}
			seen := map[string]bool{}
			for _, m := range line.FindAllStringSubmatch(out, -1) {
				name := m[1]
				seen[name] = true
				f := func(i int) float64 {
					v, err := strconv.ParseFloat(m[i], 64)
					if err != nil {
						t.Fatalf("%s: %q is not a number", name, m[i])
					}
					return v
				}
				rate, p50, p95, p99, floor, ratio, n, errs := f(2), f(3), f(4), f(5), f(6), f(7), f(9), f(10)
				if rate <= 0 || floor <= 0 || ratio <= 0 || n < 1 {
					t.Errorf("%s: rate %v, floor %v, ratio %v, %v operations: want all above zero", name, rate, floor, ratio, n)
				}
				if !(p50 > 0 && p50 <= p95 && p95 <= p99) {
					t.Errorf("%s: p50 %v, p95 %v, p99 %v ms are not increasing", name, p50, p95, p99)
				}
				// The floor is printed rounded to a whole number.
				if lo, hi := rate/(floor+0.5), rate/max(floor-0.5, 0.01); ratio < lo*0.99-0.01 || ratio > hi*1.01+0.01 {
					t.Errorf("%s: ratio %v, but %v / %v is %.3f", name, ratio, rate, floor, rate/floor)
				}
				if errs != 0 {
					t.Errorf("%s: %v errors:\n%s", name, errs, out)
				}
			}
			for _, s := range loadScenarios {
				if !seen[s] {
					t.Errorf("no line for %s:\n%s", s, out)
				}
			}
			rss := regexp.MustCompile(`server: peak RSS (\d+) MiB \(VmHWM\), CPU (\d+\.\d) s`).FindStringSubmatch(out)
			if rss == nil || rss[1] == "0" || rss[2] == "0.0" {
				t.Errorf("no server memory and CPU line with figures above zero:\n%s", out)
			}
			if name == "sqlite" {
				if left, _ := filepath.Glob(filepath.Join(dir, "*.db*")); len(left) != 0 {
					t.Errorf("library files left behind without --keep: %v", left)
				}
			}
		})
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--scenarios", "sign-in,nonsense"},
		{"--scenarios", ""},
		{"--duration", "0s"},
		{"--clients", "0"},
		{"--postgres", "postgres://x/y", "--keep"},
		{"extra"},
	} {
		var stderr bytes.Buffer
		if _, err := parseLoadFlags(args, &stderr); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	o, err := parseLoadFlags([]string{"--scenarios", "record, import"}, &bytes.Buffer{})
	if err != nil || strings.Join(o.scenarios, ",") != "record,import" {
		t.Errorf("--scenarios 'record, import' gave %q, %v", o.scenarios, err)
	}
}

func TestPercentiles(t *testing.T) {
	var r loadResult
	for i := 1; i <= 1000; i++ {
		r.Times = append(r.Times, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 500 * time.Millisecond, 95: 950 * time.Millisecond, 99: 990 * time.Millisecond, 100: time.Second} {
		if got := r.percentile(p); got != want {
			t.Errorf("p%v of 1..1000 ms is %v, want %v", p, got, want)
		}
	}
	if (loadResult{}).percentile(99) != 0 {
		t.Error("a percentile of nothing is not 0")
	}
}

func TestBarcodeRange(t *testing.T) {
	got, err := barcodeRange("B000000098", "B000000102", 0)
	if err != nil || strings.Join(got, " ") != "B000000098 B000000099 B000000100 B000000101 B000000102" {
		t.Errorf("got %q, %v", got, err)
	}
	if got, _ := barcodeRange("20000001", "20002000", 3); strings.Join(got, " ") != "20001998 20001999 20002000" {
		t.Errorf("the last three: got %q", got)
	}
	for _, bad := range [][2]string{{"A1", "B2"}, {"X5", "X3"}, {"X", "X"}} {
		if _, err := barcodeRange(bad[0], bad[1], 0); err == nil {
			t.Errorf("%q to %q: no error", bad[0], bad[1])
		}
	}
}

// buildTool builds carrel-load into dir and returns its path.
func buildTool(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "carrel-load")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
