package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/carrel-library/carrel/internal/csvimport"
)

// runExport is `carrel export patrons|items|loans FILE.csv`: the library's
// patrons, items or open loans in the columns `carrel import` reads, so a
// library can move its data or look at it in a spreadsheet. Cells that a
// spreadsheet would run as formulas are written with a quote in front,
// which the import takes off again.
func runExport(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("export", "patrons|items|loans FILE.csv  (FILE - writes standard output)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 2, "patrons, items or loans and a CSV file"); err != nil {
		return err
	}
	kind := csvimport.Kind(pos[0])
	if !slices.Contains(csvimport.Kinds(), kind) {
		return &usageError{fmt.Sprintf("cannot export %q: want patrons, items or loans", pos[0])}
	}

	svc, db, err := e.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()

	name := pos[1]
	if name == "-" {
		n, err := csvimport.Export(ctx, db, svc.Config(), kind, e.stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "%s: %d rows written to standard output\n", kind, n)
		return nil
	}
	n, err := writeAtomically(name, func(w io.Writer) (int, error) {
		return csvimport.Export(ctx, db, svc.Config(), kind, w)
	})
	if err != nil {
		return fmt.Errorf("%s: %w; nothing was written", name, err)
	}
	fmt.Fprintf(e.stdout, "%s: %d rows written to %s\n", kind, n, name)
	return nil
}

// writeAtomically writes a file through write, readable by its owner
// alone (a patron file is personal data), under a temporary name beside
// it, and renames it into place only when all of it is written and
// synced: a failure half-way leaves no file, or the old one, never half of
// one.
func writeAtomically(name string, write func(io.Writer) (int, error)) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing to remove
	n, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}
