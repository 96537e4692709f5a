package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLibraryShape(t *testing.T) {
	heavy := []int{1, 10, 100, 1000}
	for _, tc := range []struct {
		loans                                   int
		returned, open, patrons, items, wantErr int
	}{
		// The large demo library's proportions.
		{2_000_000, 1_900_000, 100_000, 50_000, 500_000, 0},
		{100_000, 95_000, 5_000, 2_500, 25_000, 0},
		// A small library keeps twice the heavy patrons' loans current.
		{10_000, 7_778, 2_222, 500, 4_444, 0},
		{2_222, 0, 2_222, 500, 4_444, 0},
		{2_221, 0, 0, 0, 0, 1},
	} {
		s, err := newLibraryShape(tc.loans, heavy)
		if tc.wantErr != 0 {
			if err == nil || !strings.Contains(err.Error(), "needs at least 2,222 loans") {
				t.Errorf("%d loans: got %v, want a refusal saying 2,222 loans are needed", tc.loans, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%d loans: %v", tc.loans, err)
		}
		got := []int{s.Returned, s.Open, s.Patrons, s.Items}
		want := []int{tc.returned, tc.open, tc.patrons, tc.items}
		if !slices.Equal(got, want) {
			t.Errorf("%d loans: returned, open, patrons, items = %v, want %v", tc.loans, got, want)
		}
	}
}

func TestScaleRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sizes", "10k"}, `"10k" is not a whole number`},
		{[]string{"--sizes", "10000,10000"}, "given twice"},
		{[]string{"--sizes", ""}, "at least one library size"},
		{[]string{"--sizes", "1000"}, "too small"},
		{[]string{"--heavy", "0"}, "above zero"},
		{[]string{"--requests", "0"}, "at least 1"},
		{[]string{"--warmup", "-1"}, "negative"},
		{[]string{"--postgres", "host=x"}, "postgres://"},
		{[]string{"--postgres", "postgres://x/y", "--dir", "d"}, "not both"},
		{[]string{"extra"}, "no arguments"},
	} {
		var stdout, stderr bytes.Buffer
		err := scaleMain(context.Background(), tc.args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error saying %q", tc.args, err, tc.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("%q: printed %q before refusing", tc.args, stdout.String())
		}
	}
}

func TestPageLinks(t *testing.T) {
	page := []byte(`<table><tr id="row-12"><td>a</td></tr><tr class="overdue" id="row-13"></tr></table>
<nav><a href="/account?page=2">2</a> <a href="?lang=en&amp;page=20">last</a> <a href="/account/sessions">x</a></nav>`)
	if n := countLoanRows(page); n != 2 {
		t.Errorf("counted %d loan rows, want 2", n)
	}
	if n := lastPageLink(page); n != 20 {
		t.Errorf("last page %d, want 20", n)
	}
	if n := lastPageLink([]byte(`<a href="/account/sessions">`)); n != 0 {
		t.Errorf("last page %d of a page without page links, want 0", n)
	}
}

// TestScaleEndToEnd builds carrel-load and runs `scale` on two small
// libraries, on SQLite and (when CARREL_TEST_POSTGRES is set) PostgreSQL:
// each record is signed in to and read, and the table, the Markdown file
// and the chart say so.
func TestScaleEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tool and generates two libraries")
	}
	dir := t.TempDir()
	bin := buildTool(t, dir)
	dbs := map[string][]string{"sqlite": {"--dir", dir}}
	if pg := os.Getenv("CARREL_TEST_POSTGRES"); pg != "" {
		dbs["postgres"] = []string{"--postgres", pg}
	} else {
		t.Log("PostgreSQL run skipped: set CARREL_TEST_POSTGRES to a PostgreSQL URL to run it")
	}
	for name, dbArgs := range dbs {
		t.Run(name, func(t *testing.T) {
			svg, md := filepath.Join(dir, name+".svg"), filepath.Join(dir, name+".md")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append([]string{"scale", "--sizes", "2500,6000", "--requests", "3", "--warmup", "1",
				"--svg", svg, "--markdown", md}, dbArgs...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("scale: %v\nstderr:\n%s", err, stderr.String())
			}
			out := stdout.String()
			for _, want := range []string{"building a library of 2,500 loans", "building a library of 6,000 loans", "carrel demo: open loans", "Machine: "} {
				if !strings.Contains(stderr.String()+out, want) {
					t.Errorf("no %q in the output:\n%s\n%s", want, out, stderr.String())
				}
			}
			header := regexp.MustCompile(`(?m)^\| Library \(loans\) \| student \| 1 loan \| 10 loans \| 100 loans \| 1,000 loans \|`)
			if !header.MatchString(out) {
				t.Errorf("no table headed by the student and the four heavy patrons:\n%s", out)
			}
			cell := `\d+(\.\d+)? \(\d+(\.\d+)?\)`
			for _, size := range []string{"2,500", "6,000"} {
				row := regexp.MustCompile(`(?m)^\| ` + size + ` \|( ` + cell + ` \|){5,6}$`)
				if !row.MatchString(out) {
					t.Errorf("no row of timings for %s loans:\n%s", size, out)
				}
				// The 10-loan patron's record shows all ten, on SQLite and
				// PostgreSQL alike.
				if !strings.Contains(out, "| "+size+" | 10 loans | `/account` | 10 |") {
					t.Errorf("the 10-loan patron's record at %s loans does not show 10 loans:\n%s", size, out)
				}
			}
			if f, err := os.ReadFile(md); err != nil || string(f) != out {
				t.Errorf("the Markdown file (%v) is not the table printed", err)
			}
			doc, err := os.ReadFile(svg)
			if err != nil {
				t.Fatal(err)
			}
			circles, _ := decodeSVG(t, doc)
			if len(circles) < 5*2 {
				t.Errorf("the chart has %d points, want two for each of at least 5 records", len(circles))
			}
			if name == "sqlite" {
				if left, _ := filepath.Glob(filepath.Join(dir, "*.db*")); len(left) != 0 {
					t.Errorf("library files left behind: %v", left)
				}
			}
		})
	}
}
