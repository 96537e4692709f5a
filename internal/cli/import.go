package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/carrel-library/carrel/internal/csvimport"
)

// runImport is `carrel import patrons|items|loans FILE.csv`: the whole file
// or nothing, every problem listed, a summary at the end.
func runImport(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("import", "patrons|items|loans FILE.csv  (FILE - reads standard input)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 2, "patrons, items or loans and a CSV file"); err != nil {
		return err
	}
	kind := csvimport.Kind(pos[0])
	if !slices.Contains(csvimport.Kinds(), kind) {
		return &usageError{fmt.Sprintf("cannot import %q: want patrons, items or loans", pos[0])}
	}

	// The file is opened before the database, so a mistyped name fails
	// without touching anything.
	name, in := pos[1], e.stdin
	if name == "-" {
		name = "standard input"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}

	svc, db, err := e.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()

	bar := newProgressBar(e.stderr, "importing "+string(kind))
	sum, err := csvimport.Import(ctx, svc, kind, in, bar.update)
	bar.clear()
	var ie *csvimport.Errors
	if errors.As(err, &ie) {
		for _, l := range ie.Lines {
			fmt.Fprintln(e.stderr, l)
		}
		return fmt.Errorf("%s: %d problem(s): nothing was imported", name, len(ie.Lines))
	}
	if err != nil {
		// One transaction: whatever failed, it was rolled back.
		return fmt.Errorf("%s: %w; nothing was imported", name, err)
	}
	fmt.Fprintln(e.stdout, sum)
	return nil
}

// progressBar draws the progress of a long import on a terminal, and
// nothing at all when w is not one (a pipe, a log file, a test), where a
// line redrawn hundreds of times would only be noise.
type progressBar struct {
	w     io.Writer
	label string
	last  int // the percentage drawn last; -1 before the first
}

// newProgressBar returns a bar that draws on w if w is a terminal.
func newProgressBar(w io.Writer, label string) *progressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &progressBar{}
	}
	return &progressBar{w: w, label: label, last: -1}
}

// update draws the bar when the percentage has moved.
func (b *progressBar) update(done, total int) {
	if b.w == nil {
		return
	}
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	if pct == b.last {
		return
	}
	b.last = pct
	const width = 30
	fill := pct * width / 100
	fmt.Fprintf(b.w, "\r%s [%s%s] %3d%% %d/%d", b.label,
		strings.Repeat("=", fill), strings.Repeat(" ", width-fill), pct, done, total)
}

// clear removes the bar, so what follows starts on a clean line.
func (b *progressBar) clear() {
	if b.w != nil && b.last >= 0 {
		fmt.Fprint(b.w, "\r\033[K")
		b.last = -1
	}
}
