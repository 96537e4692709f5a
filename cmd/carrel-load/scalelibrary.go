package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// libraryShape is a generated library for a given number of loans, in the
// proportions of the large demo library (2,000,000 returned and 100,000
// current loans, 50,000 patrons, 500,000 items): one loan in twenty is
// current, a patron for every 40 loans, an item for every 4.
type libraryShape struct {
	Loans, Returned, Open int
	Patrons, Items        int
	LoadPatrons           int
	Heavy                 []int
}

// scaleLoadPatrons is how many load-test students each library has; the
// first is the typical student measured. Each costs an argon2id hash.
const scaleLoadPatrons = 4

// newLibraryShape sizes a library of loans loans with heavy patrons of
// the given loan counts. A small library keeps at least twice the heavy
// patrons' loans current, so that other patrons borrow too, and enough
// items to lend them all.
func newLibraryShape(loans int, heavy []int) (libraryShape, error) {
	heavySum := 0
	for _, n := range heavy {
		heavySum += n
	}
	s := libraryShape{Loans: loans, LoadPatrons: scaleLoadPatrons, Heavy: heavy}
	s.Open = max(loans/20, 2*heavySum, 1)
	if s.Open > loans {
		return s, fmt.Errorf("a library of %s loans is too small for heavy patrons with %s current loans (it needs at least %s loans)",
			groupDigits(loans), groupDigits(heavySum), groupDigits(max(2*heavySum, 1)))
	}
	s.Returned = loans - s.Open
	s.Patrons = max(loans/40, 500)
	s.Items = max(loans/4, 2*s.Open)
	return s, nil
}

// demoArgs are the arguments of `carrel demo` that generate the library.
func (s libraryShape) demoArgs(db string, seed uint64) []string {
	return []string{"demo", "--size", "large", "--db", db,
		"--patrons", strconv.Itoa(s.Patrons), "--items", strconv.Itoa(s.Items),
		"--returned-loans", strconv.Itoa(s.Returned), "--open-loans", strconv.Itoa(s.Open),
		"--load-patrons", strconv.Itoa(s.LoadPatrons), "--heavy", joinPlain(s.Heavy),
		"--seed", strconv.FormatUint(seed, 10)}
}

// String describes the library for progress lines.
func (s libraryShape) String() string {
	return fmt.Sprintf("%s loans (%s returned, %s current), %s patrons, %s items",
		groupDigits(s.Loans), groupDigits(s.Returned), groupDigits(s.Open), groupDigits(s.Patrons), groupDigits(s.Items))
}

// joinPlain writes numbers comma-separated, without grouping.
func joinPlain(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// signInCard is a patron the demo prints a sign-in for.
type signInCard struct {
	Barcode, PIN string
	Loans        int // current loans; -1 when the demo does not say
}

// demoSignIns are the sign-ins a generated library's report gives.
type demoSignIns struct {
	Student signInCard   // the first load-test student
	Heavy   []signInCard // in the order printed
}

var (
	loadStudentsLine = regexp.MustCompile(`load-test patrons: \d+ students, barcodes (\S+) to \S+ \(consecutive\), PIN (\S+)`)
	heavyPatronLine  = regexp.MustCompile(`heavy patron: barcode (\S+), PIN (\S+), (\d+) current loans?`)
)

// parseDemoSignIns reads the sign-ins from what `carrel demo` printed.
func parseDemoSignIns(out string) (demoSignIns, error) {
	var d demoSignIns
	m := loadStudentsLine.FindStringSubmatch(out)
	if m == nil {
		return d, fmt.Errorf("carrel demo printed no load-test patrons:\n%s", out)
	}
	d.Student = signInCard{Barcode: m[1], PIN: m[2], Loans: -1}
	for _, m := range heavyPatronLine.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[3])
		d.Heavy = append(d.Heavy, signInCard{Barcode: m[1], PIN: m[2], Loans: n})
	}
	return d, nil
}

// builtLibrary is a generated library ready to serve.
type builtLibrary struct {
	DB      string // the --db of carrel serve
	SignIns demoSignIns
	Elapsed time.Duration
	drop    func() error // removes the library
}

// buildLibrary generates the library s in a fresh SQLite file in dir, or
// in a fresh schema of the PostgreSQL database postgres, showing the
// demo's progress lines on progress.
func buildLibrary(ctx context.Context, s libraryShape, seed uint64, postgres, dir string, progress io.Writer) (*builtLibrary, error) {
	b := &builtLibrary{}
	if postgres != "" {
		target, drop, err := freshPostgresSchema(ctx, postgres)
		if err != nil {
			return nil, err
		}
		b.DB, b.drop = target, drop
	} else {
		b.DB = filepath.Join(dir, fmt.Sprintf("library-%d-loans.db", s.Loans))
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(b.DB + suffix)
		}
		b.drop = func() error {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(b.DB + suffix); err != nil && !os.IsNotExist(err) {
					return err
				}
			}
			return nil
		}
	}
	out := &demoOutput{progress: progress}
	start := time.Now()
	if err := carrelRun(ctx, out, s.demoArgs(b.DB, seed)...); err != nil {
		b.drop()
		return nil, fmt.Errorf("%w\n%s", err, out.String())
	}
	b.Elapsed = time.Since(start)
	var err error
	if b.SignIns, err = parseDemoSignIns(out.String()); err != nil {
		b.drop()
		return nil, err
	}
	return b, nil
}

// Drop removes the library: the SQLite file, or the PostgreSQL schema.
func (b *builtLibrary) Drop() error { return b.drop() }

// demoOutput keeps what `carrel demo` prints and passes its progress lines
// on as they come.
type demoOutput struct {
	progress io.Writer
	mu       sync.Mutex
	all      bytes.Buffer
	line     []byte
}

func (d *demoOutput) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.all.Write(p)
	d.line = append(d.line, p...)
	for {
		i := bytes.IndexByte(d.line, '\n')
		if i < 0 {
			break
		}
		if l := d.line[:i]; bytes.HasPrefix(l, []byte("carrel demo: ")) {
			fmt.Fprintf(d.progress, "  %s\n", l)
		}
		d.line = d.line[i+1:]
	}
	return len(p), nil
}

// String is everything printed so far.
func (d *demoOutput) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.all.String()
}

// freshPostgresSchema creates an empty schema in the database at base and
// returns a URL whose connections use it, and a function that drops it.
func freshPostgresSchema(ctx context.Context, base string) (string, func() error, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("--postgres is not a URL")
	}
	schema := "carrel_scale_" + strings.ToLower(rand.Text()[:12])
	exec := func(ctx context.Context, sql string) error {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return fmt.Errorf("connect to --postgres: %w", err)
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	id := pgx.Identifier{schema}.Sanitize()
	if err := exec(ctx, `CREATE SCHEMA `+id); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() error {
		// The drop runs even when the run was interrupted.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := exec(ctx, `DROP SCHEMA `+id+` CASCADE`); err != nil {
			return fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return nil
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
