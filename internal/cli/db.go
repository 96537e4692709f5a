package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/carrel-library/carrel/internal/storage"
)

// runDB is `carrel db copy|backup`: moving a library to another database,
// and backing up a SQLite one.
func runDB(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return &usageError{"want copy or backup (carrel db copy -h, carrel db backup -h)"}
	}
	switch args[0] {
	case "copy":
		return runDBCopy(ctx, e, args[1:])
	case "backup":
		return runDBBackup(ctx, e, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(e.stderr, "Usage:\n"+
			"  carrel db copy --from SOURCE --to TARGET [--sessions]   copy a whole library into a new, empty database\n"+
			"  carrel db backup [--db carrel.db] FILE                  back up a SQLite library into a new file\n")
		return flag.ErrHelp
	}
	return &usageError{fmt.Sprintf("unknown subcommand %q: want copy or backup", args[0])}
}

// runDBCopy is `carrel db copy --from SOURCE --to TARGET`: the whole
// library or nothing, verified table by table before it is committed.
func runDBCopy(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("carrel db copy", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	from := fs.String("from", "", "the library to copy: a SQLite file path, or a postgres:// URL")
	to := fs.String("to", "", "the new, empty database to copy it into: a SQLite file path, or a postgres:// URL")
	sessions := fs.Bool("sessions", false, "copy the sessions too (without it, whoever was signed in signs in again)")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: carrel db copy --from SOURCE --to TARGET [--sessions]\n\n"+
			"Copies a whole Carrel library, ids and PINs as they are, into an empty database\n"+
			"(e.g. from carrel.db to postgres://USER@HOST/DATABASE). The source may stay in use;\n"+
			"what changes in it after the copy begins is not copied.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "no arguments, only --from and --to"); err != nil {
		return err
	}
	switch {
	case *from == "":
		return &usageError{"--from is missing: the library to copy (a SQLite file or a postgres:// URL)"}
	case *to == "":
		return &usageError{"--to is missing: the empty database to copy into (a SQLite file or a postgres:// URL)"}
	case storage.SameDatabase(*from, *to):
		return &usageError{fmt.Sprintf("--from and --to both name %s: copy into another database", storage.Describe(*from))}
	}
	fromName, toName := storage.Describe(*from), storage.Describe(*to)
	if err := mustExist(*from); err != nil {
		return err
	}

	src, err := e.openDB(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := src.CheckSchema(ctx); err != nil {
		return fmt.Errorf("%s: %w", fromName, err)
	}
	// A SQLite file the copy creates is removed if the copy fails, so that
	// a failed copy leaves nothing behind.
	created := !storage.IsPostgres(*to) && !dbFileExists(*to)
	dst, err := e.openDB(ctx, *to)
	if err != nil {
		return err
	}
	bar, current := &progressBar{}, ""
	rep, err := storage.Copy(ctx, dst, src, storage.CopyOptions{
		Sessions: *sessions,
		Progress: func(table string, done, total int) {
			if table != current {
				bar.clear()
				bar, current = newProgressBar(e.stderr, "copying "+table), table
			}
			bar.update(done, total)
		},
	})
	bar.clear()
	cerr := dst.Close()
	if err == nil {
		err = cerr
	}
	if err != nil {
		if created {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(*to + suffix)
			}
		}
		return fmt.Errorf("nothing was copied into %s: %w", toName, err)
	}

	fmt.Fprintf(e.stdout, "Copied %s to %s (schema version %d):\n", fromName, toName, rep.SchemaVersion)
	for _, t := range rep.Tables {
		if t.Skipped {
			fmt.Fprintf(e.stdout, "  %-16s %9s  not copied: whoever was signed in signs in again (--sessions copies them)\n", t.Table, "-")
			continue
		}
		fmt.Fprintf(e.stdout, "  %-16s %9d\n", t.Table, t.Rows)
	}
	secs := rep.Elapsed.Seconds()
	fmt.Fprintf(e.stdout, "%d rows in %s (%.0f rows/s); every table verified: same rows, same checksum.\n",
		rep.Rows(), rep.Elapsed.Round(time.Millisecond), float64(rep.Rows())/max(secs, 1e-6))
	fmt.Fprintf(e.stdout, "Changes made to %s after the copy began are not in the copy.\n", fromName)
	fmt.Fprintf(e.stdout, "%s\n", sameKeyNote("copy", *from, *to))
	return nil
}

// sameKeyNote tells the operator that the staff's two-factor secrets went
// into a copy or backup sealed, as they were, so that the copy is served
// with the original's key file. The key is not copied with them: a copy
// that leaves the building then gives away no one's codes.
func sameKeyNote(what, from, to string) string {
	keyFile := "KEYFILE (the key file " + storage.Describe(from) + " is served with)"
	if path, err := secretKeyPath("", from); err == nil {
		keyFile = path
	}
	return fmt.Sprintf("The staff's two-factor secrets are in the %s sealed, as they were, and the key is not: "+
		"serve it with the key file of %s, e.g. carrel serve --db %s --secret-key-file %s",
		what, storage.Describe(from), storage.Describe(to), keyFile)
}

// runDBBackup is `carrel db backup FILE`: a consistent copy of a SQLite
// library, made while it stays in use, into a file that must not exist.
func runDBBackup(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("db backup", "FILE")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "the FILE to back up into"); err != nil {
		return err
	}
	if storage.IsPostgres(e.db) {
		return storage.ErrBackupPostgres
	}
	if err := mustExist(e.db); err != nil {
		return err
	}
	db, err := e.openDB(ctx, e.db)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Backup(ctx, pos[0]); err != nil {
		return err
	}
	current, _, err := db.SchemaState(ctx)
	if err != nil {
		return err
	}
	size := int64(0)
	if fi, err := os.Stat(pos[0]); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(e.stdout, "Backed up %s to %s: %.1f MB, schema version %d, in %s.\n",
		e.db, pos[0], float64(size)/1e6, current, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "%s\n", sameKeyNote("backup", e.db, pos[0]))
	return nil
}

// mustExist refuses a SQLite file that does not exist, which opening
// would create: the database to read must be there already.
func mustExist(target string) error {
	if storage.IsPostgres(target) || dbFileExists(target) {
		return nil
	}
	return fmt.Errorf("%s: no such database file", target)
}

// dbFileExists reports whether a file is there.
func dbFileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}
