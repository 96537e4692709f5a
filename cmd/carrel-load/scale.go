package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// scaleOptions are the flags of `carrel-load scale`.
type scaleOptions struct {
	sizes    []int // libraries, in loans
	heavy    []int // current loans of each heavy patron
	requests int   // timed requests per patron and library
	warmup   int   // untimed requests before them
	seed     uint64
	postgres string // a PostgreSQL URL; "" for SQLite files
	dir      string // where the SQLite files go; "" for a temporary folder
	svg      string
	markdown string
}

// runScale is `carrel-load scale`: for each library size it generates a
// fresh library, serves it, signs in as a typical student and as each
// heavy patron, and times their borrowing record (GET /account), so that
// the table shows whether the page grows with what it shows or with the
// size of the library.
func runScale(ctx context.Context, args []string) error {
	return scaleMain(ctx, args, os.Stdout, os.Stderr)
}

// scaleMain is runScale with its output streams given.
func scaleMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseScaleFlags(args, stderr)
	if err != nil {
		return err
	}
	db := "SQLite, a fresh file per library"
	if o.postgres != "" {
		db = "PostgreSQL, a fresh schema per library"
	}
	start := time.Now()
	machine := scaleMachine(ctx, o.postgres)
	fmt.Fprintf(stderr, "carrel-load scale: %s\n", machine)
	fmt.Fprintf(stderr, "carrel-load scale: libraries of %s loans on %s; %d requests per patron after %d to warm up\n",
		joinLoans(o.sizes), db, o.requests, o.warmup)

	dir := o.dir
	if o.postgres == "" && dir == "" {
		if dir, err = os.MkdirTemp("", "carrel-scale-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	var results []scaleResult
	for _, loans := range o.sizes {
		r, err := measureLibrary(ctx, o, loans, dir, stderr)
		if err != nil {
			return fmt.Errorf("library of %s loans: %w", groupDigits(loans), err)
		}
		results = append(results, r)
	}
	rep := scaleReport{Machine: machine, Database: db, Requests: o.requests, Warmup: o.warmup,
		Results: results, Elapsed: time.Since(start)}
	md := rep.markdown()
	if _, err := io.WriteString(stdout, md); err != nil {
		return err
	}
	if o.markdown != "" {
		if err := os.WriteFile(o.markdown, []byte(md), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "carrel-load scale: wrote the table to %s\n", o.markdown)
	}
	if o.svg != "" {
		if err := rep.writeSVGFile(o.svg); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "carrel-load scale: wrote the chart to %s\n", o.svg)
	}
	return nil
}

// parseScaleFlags reads the flags of `carrel-load scale`; bad input gets a
// message saying what is wrong.
func parseScaleFlags(args []string, stderr io.Writer) (scaleOptions, error) {
	o := scaleOptions{}
	fs := flag.NewFlagSet("carrel-load scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "10000,100000,1000000,2000000", "libraries to generate, in loans (returned and current), comma-separated")
	heavy := fs.String("heavy", "1,10,100,1000", "current loans of each heavy patron, comma-separated")
	fs.IntVar(&o.requests, "requests", 300, "timed requests of each borrowing record in each library")
	fs.IntVar(&o.warmup, "warmup", 20, "requests of each borrowing record before the timed ones")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the generated libraries")
	fs.StringVar(&o.postgres, "postgres", "", "a PostgreSQL URL: generate each library in a fresh schema of this database\n(dropped after), instead of in a SQLite file")
	fs.StringVar(&o.dir, "dir", "", "folder for the SQLite files, each removed once measured (default: a temporary folder)")
	fs.StringVar(&o.svg, "svg", "", "write the chart to this SVG file")
	fs.StringVar(&o.markdown, "markdown", "", "write the tables to this Markdown file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: carrel-load scale [flags]\n\nThe borrowing record's latency as the library grows, for a typical student\nand for patrons with many current loans.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("scale takes no arguments, only flags (got %q)", fs.Arg(0))
	}
	var err error
	if o.sizes, err = parsePositiveList(*sizes); err != nil {
		return o, fmt.Errorf("--sizes %q: %v", *sizes, err)
	}
	if len(o.sizes) == 0 {
		return o, fmt.Errorf("--sizes: give at least one library size")
	}
	if o.heavy, err = parsePositiveList(*heavy); err != nil {
		return o, fmt.Errorf("--heavy %q: %v", *heavy, err)
	}
	if o.requests < 1 {
		return o, fmt.Errorf("--requests %d: want at least 1", o.requests)
	}
	if o.warmup < 0 {
		return o, fmt.Errorf("--warmup %d: cannot be negative", o.warmup)
	}
	if o.postgres != "" && o.dir != "" {
		return o, fmt.Errorf("--dir is for SQLite files: give it or --postgres, not both")
	}
	if o.postgres != "" && !strings.HasPrefix(o.postgres, "postgres://") && !strings.HasPrefix(o.postgres, "postgresql://") {
		return o, fmt.Errorf("--postgres: want a URL starting postgres://")
	}
	for _, n := range o.sizes {
		if _, err := newLibraryShape(n, o.heavy); err != nil {
			return o, err
		}
	}
	return o, nil
}

// parsePositiveList reads comma-separated whole numbers above zero, each
// once, in increasing order.
func parsePositiveList(s string) ([]int, error) {
	var ns []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(f, "_", ""))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a whole number above zero", f)
		}
		if slices.Contains(ns, n) {
			return nil, fmt.Errorf("%d is given twice", n)
		}
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns, nil
}

// groupDigits writes n with commas between thousands: 2,000,000.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// joinLoans writes library sizes for a message.
func joinLoans(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = groupDigits(n)
	}
	return strings.Join(s, ", ")
}
