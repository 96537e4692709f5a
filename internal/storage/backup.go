package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// ErrBackupPostgres is the answer of Backup on PostgreSQL, whose own tool
// does the job better than Carrel could. pg_dump makes its file with the
// umask (0644 under the usual 022), so the example narrows it: the dump
// holds every patron's records.
var ErrBackupPostgres = errors.New("storage: carrel db backup backs up a SQLite library; " +
	"back up PostgreSQL with pg_dump, e.g. (umask 077; pg_dump --format=custom --file=carrel.dump postgres://USER@HOST/DATABASE), " +
	"the umask keeping the dump the owner's alone, as carrel db backup keeps its files")

// Backup writes a consistent copy of the database into a new SQLite file
// at path, while the database stays in use: SQLite's VACUUM INTO reads one
// snapshot, as any reader does, and writes it out compacted. It refuses a
// path that exists, and checks that the backup opens as a Carrel database
// at the same schema version. A failed backup leaves no file behind.
func (db *DB) Backup(ctx context.Context, path string) (err error) {
	if db.d != sqliteDialect {
		return ErrBackupPostgres
	}
	if _, err := sqliteDSN(path, false); err != nil || IsPostgres(path) {
		return fmt.Errorf("storage: back up to %q: not a usable file name for a SQLite database", path)
	}
	// The version is read through a reader: the writer may be busy, and
	// a backup waits for no one.
	var current int
	err = db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current)
	if err != nil {
		return fmt.Errorf("storage: back up %s: not a Carrel database: %w", db.name, err)
	}
	// The file is made here, empty, so that it is ours: VACUUM INTO fills
	// an empty file, and a failure removes only what this backup made.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("storage: back up to %s: the file exists, and a backup never overwrites one: choose a new name", path)
	}
	if err != nil {
		return fmt.Errorf("storage: back up to %s: %w", path, err)
	}
	f.Close()
	defer func() {
		if err != nil {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}
	}()
	if err := vacuumInto(ctx, db.name, path); err != nil {
		return fmt.Errorf("storage: back up %s to %s: %w", db.name, path, err)
	}
	if err := syncFile(path); err != nil {
		return fmt.Errorf("storage: back up to %s: %w", path, err)
	}
	return checkBackup(ctx, path, current)
}

// vacuumInto writes the SQLite database at src into the empty file dst.
// It takes a connection of its own: the readers are read-only, which
// VACUUM INTO refuses although it writes only the new file, and the writer
// would hold up the library's writes for as long as the backup takes.
func vacuumInto(ctx context.Context, src, dst string) error {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	conn, err := sql.Open("sqlite", src+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `VACUUM INTO $1`, dst)
	return err
}

// syncFile makes the new file and its name durable: VACUUM INTO writes the
// file without syncing it.
func syncFile(path string) error {
	for _, name := range []string{path, filepath.Dir(path)} {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// checkBackup opens the backup as Carrel would and checks its schema.
func checkBackup(ctx context.Context, path string, version int) error {
	b, err := Open(ctx, path)
	if err != nil {
		return fmt.Errorf("storage: the backup %s does not open: %w", path, err)
	}
	current, _, err := b.SchemaState(ctx)
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("storage: the backup %s: %w", path, err)
	}
	if current != version {
		return fmt.Errorf("storage: the backup %s is at schema version %d, not %d", path, current, version)
	}
	return nil
}
