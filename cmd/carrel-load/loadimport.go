package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/storage"
)

// writePatronCSV writes n patrons in the columns `carrel import patrons`
// reads: students registered after the HKID cut-over, so each gets the
// barcode preset and no hash is computed at import.
func writePatronCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "barcode,category,name,email,registered_on,expires_on,hkid")
	for i := range n {
		fmt.Fprintf(w, "%08d,student,Load Student %d,load%d@example.org,2025-09-01,2029-08-31,\n", 30000001+i, i+1, i+1)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// freshTarget is an empty database: a new SQLite file in dir, or a fresh
// schema of the PostgreSQL database postgres; drop removes it.
func freshTarget(ctx context.Context, postgres, dir, name string) (target string, drop func() error, err error) {
	if postgres != "" {
		return freshPostgresSchema(ctx, postgres)
	}
	target = filepath.Join(dir, name)
	drop = func() error {
		for _, s := range []string{"", "-wal", "-shm"} {
			os.Remove(target + s)
		}
		return nil
	}
	drop()
	return target, drop, nil
}

// runImport times `carrel import patrons` of n patrons into a fresh,
// migrated database, and the floor: the same rows written by one
// multi-row INSERT per 500 rows in one transaction, on a database opened by
// Carrel's storage package.
func runImport(ctx context.Context, postgres, dir string, n int, progress io.Writer) (carrel, floor loadResult, err error) {
	csv := filepath.Join(dir, "carrel-load-patrons.csv")
	if err := writePatronCSV(csv, n); err != nil {
		return carrel, floor, err
	}
	defer os.Remove(csv)

	target, drop, err := freshTarget(ctx, postgres, dir, "carrel-load-import.db")
	if err != nil {
		return carrel, floor, err
	}
	defer drop()
	if err := carrelRun(ctx, io.Discard, "migrate", "--db", target); err != nil {
		return carrel, floor, err
	}
	var out strings.Builder
	start := time.Now()
	if err := carrelRun(ctx, &out, "import", "--db", target, "patrons", csv); err != nil {
		return carrel, floor, fmt.Errorf("%w\n%s", err, out.String())
	}
	carrel = oneShot(time.Since(start), n)
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) > 0 {
		fmt.Fprintf(progress, "  carrel import: %s\n", lines[len(lines)-1])
	}

	ftarget, fdrop, err := freshTarget(ctx, postgres, dir, "carrel-load-import-floor.db")
	if err != nil {
		return carrel, floor, err
	}
	defer fdrop()
	if err := carrelRun(ctx, io.Discard, "migrate", "--db", ftarget); err != nil {
		return carrel, floor, err
	}
	d, err := bareInsert(ctx, ftarget, n)
	fmt.Fprintf(progress, "  bare INSERT: %d rows in %s\n", n, d.Round(time.Millisecond))
	if err != nil {
		return carrel, floor, err
	}
	return carrel, oneShot(d, n), nil
}

// oneShot is a result of n rows written in d, taken as one operation.
func oneShot(d time.Duration, n int) loadResult {
	return loadResult{Ops: n, Elapsed: d, Times: []time.Duration{d}}
}

// bareInsert writes the same n patrons with multi-row INSERTs in one
// transaction, and returns how long that took.
func bareInsert(ctx context.Context, target string, n int) (time.Duration, error) {
	db, err := storage.Open(ctx, target)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	write := storagePool(db.Pools(), "write")
	start := time.Now()
	tx, err := write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	const batch = 50 // rows a statement: modernc.org/sqlite binds $N parameters by a search, so a long one is slow
	now := time.Now().UTC().Format(floorTimeLayout)
	for first := 0; first < n; first += batch {
		var q strings.Builder
		q.WriteString(`INSERT INTO patrons (barcode, category, name, email, registered_on, expires_on, pin_kind, created_at, updated_at) VALUES `)
		var args []any
		for i := first; i < min(first+batch, n); i++ {
			if i > first {
				q.WriteString(", ")
			}
			k := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9)
			args = append(args, fmt.Sprintf("%08d", 30000001+i), "student", fmt.Sprintf("Load Student %d", i+1),
				fmt.Sprintf("load%d@example.org", i+1), "2025-09-01", "2029-08-31", "preset", now, now)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return 0, fmt.Errorf("floor insert: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
