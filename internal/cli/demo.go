package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/carrel-library/carrel/internal/demo"
	"github.com/carrel-library/carrel/internal/storage"
)

// runDemo is `carrel demo --size small|large`: an empty database filled
// with the small demo library (what `serve --demo` fills), or with a
// generated library of any size for measuring Carrel.
func runDemo(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("demo", "")
	large := demo.LargeSize()
	sizeName := fs.String("size", "", "small (the demo library of serve --demo) or large (50,000 patrons, 500,000 items,\n"+
		"2,000,000 returned and 100,000 current loans); the counts below imply large")
	fs.IntVar(&large.Patrons, "patrons", large.Patrons, "patrons of a generated library")
	fs.IntVar(&large.Items, "items", large.Items, "items of a generated library")
	fs.IntVar(&large.ReturnedLoans, "returned-loans", large.ReturnedLoans, "returned loans of a generated library")
	fs.IntVar(&large.OpenLoans, "open-loans", large.OpenLoans, "current loans of a generated library")
	fs.IntVar(&large.LoadPatrons, "load-patrons", large.LoadPatrons, "students of a generated library who get the load-test PIN\n(each an argon2id hash: about 25 a second per core)")
	heavy := fs.String("heavy", joinInts(large.Heavy), "current loans of each heavy patron of a generated library, comma-separated\n(\"\" for none)")
	fs.Uint64Var(&large.Seed, "seed", large.Seed, "the seed of a generated library: the same seed and counts give the same library")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "no arguments"); err != nil {
		return err
	}
	var generated []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "size" && f.Name != "db" && f.Name != "config" {
			generated = append(generated, "--"+f.Name)
		}
	})
	switch *sizeName {
	case "":
		*sizeName = "small"
		if len(generated) > 0 {
			*sizeName = "large"
		}
	case "small":
		if len(generated) > 0 {
			return &usageError{fmt.Sprintf("%s sets up a generated library: use it with --size large, not small (the fixed demo library)",
				strings.Join(generated, ", "))}
		}
	case "large":
	default:
		return &usageError{fmt.Sprintf("--size %q: want small or large", *sizeName)}
	}
	if large.Heavy, err = parseInts(*heavy); err != nil {
		return &usageError{fmt.Sprintf("--heavy %q: %v", *heavy, err)}
	}

	// A SQLite file this command creates is removed if the fill fails, so
	// that a failed fill leaves nothing behind.
	created := !storage.IsPostgres(e.db) && !dbFileExists(e.db)
	err = fillDemo(ctx, e, *sizeName, large)
	if err != nil && created {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(e.db + suffix)
		}
	}
	if errors.Is(err, demo.ErrNotEmpty) {
		return fmt.Errorf("%s already holds a library: the demo fills only an empty database (give another --db)", storage.Describe(e.db))
	}
	return err
}

// fillDemo opens the database and fills it with the demo of the size named.
func fillDemo(ctx context.Context, e *env, sizeName string, large demo.Size) error {
	svc, db, err := e.open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	// A PostgreSQL URL may hold a password, which stays off the screen.
	serve := "carrel serve --db " + e.db
	if storage.IsPostgres(e.db) {
		serve = "carrel serve --db URL (the same --db)"
	}
	if e.configPath != "" {
		serve += " --config " + e.configPath
	}
	if sizeName == "small" {
		if err := demo.Fill(ctx, svc); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Filled %s with the demo library. Serve it with: %s --sip2 127.0.0.1:6001\n", storage.Describe(e.db), serve)
		demo.PrintSignIn(e.stdout, "http://127.0.0.1:8080")
		demo.PrintSIP2(e.stdout, "127.0.0.1:6001")
		return nil
	}
	p := newDemoProgress(e.stderr)
	rep, err := demo.FillLarge(ctx, svc, db, large, p.update)
	p.clear()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Filled %s. Serve it with: %s --sip2 127.0.0.1:6001\n", storage.Describe(e.db), serve)
	rep.Print(e.stdout)
	return nil
}

// demoProgress shows how far a generated library is: a bar per stage on a
// terminal, and elsewhere (a log, a CI job) a plain line when a stage
// starts and ends and every progressLineEvery in between.
type demoProgress struct {
	w        io.Writer
	terminal bool
	bar      *progressBar
	stage    string
	ended    bool // the stage's last line is written
	lastLine time.Time
}

// progressLineEvery is how often a line of progress is written off a terminal.
const progressLineEvery = 5 * time.Second

// newDemoProgress returns progress that writes to w.
func newDemoProgress(w io.Writer) *demoProgress {
	f, ok := w.(*os.File)
	return &demoProgress{w: w, terminal: ok && term.IsTerminal(int(f.Fd())), bar: &progressBar{}}
}

// update reports done of total in stage.
func (p *demoProgress) update(stage string, done, total int) {
	if p.terminal {
		if stage != p.stage {
			p.bar.clear()
			p.bar = newProgressBar(p.w, stage)
		}
		p.stage = stage
		p.bar.update(done, total)
		return
	}
	now := time.Now()
	switch {
	case stage != p.stage: // a stage begins
	case done == total && !p.ended: // and ends
	case done < total && now.Sub(p.lastLine) >= progressLineEvery:
	default:
		return
	}
	p.stage, p.ended, p.lastLine = stage, done == total, now
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	fmt.Fprintf(p.w, "carrel demo: %s %d/%d (%d%%)\n", stage, done, total, pct)
}

// clear removes a bar left on the terminal.
func (p *demoProgress) clear() { p.bar.clear() }

// joinInts writes numbers as a comma-separated list.
func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// parseInts reads a comma-separated list of numbers; "" is none.
func parseInts(s string) ([]int, error) {
	var ns []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		if slices.Contains(ns, n) {
			return nil, fmt.Errorf("%d is given twice", n)
		}
		ns = append(ns, n)
	}
	return ns, nil
}
