package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDialect is SQLite's: one writer at a time (so a transaction that
// counts rows and then writes cannot interleave with another writer, and
// nothing needs retrying), read-only readers beside it thanks to WAL.
var sqliteDialect = &dialect{
	name:            "sqlite",
	migrationsDir:   "migrations/sqlite",
	userTablesQuery: `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`,
	prepareInTx:     true,
	view:            &sql.TxOptions{ReadOnly: true},
	pools: func(db *DB) map[string]*sql.DB {
		return map[string]*sql.DB{"write": db.write, "read": db.read}
	},
}

// busyTimeout is how long a connection waits for another one's lock (another
// process, such as `carrel import` beside `carrel serve`) before failing.
const busyTimeout = 10 * time.Second

// sqliteDSN returns the data source name for the database file at path. The
// pragmas go in the DSN so that every connection the pool opens gets them,
// not only the first. Writers take the write lock at BEGIN (_txlock=immediate)
// so that a transaction that counts rows and then writes cannot interleave
// with another writer; readers are made read-only.
func sqliteDSN(path string, write bool) (string, error) {
	if path == "" || strings.ContainsRune(path, '?') || strings.HasPrefix(path, "file:") || path == ":memory:" {
		// '?' would start the parameters, and an in-memory database would be
		// a different one on each pooled connection.
		return "", fmt.Errorf("storage: %q is not a usable database file path", path)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(FULL)")
	if write {
		// WAL lets readers read while one writer writes; it is a property of
		// the file, so setting it on the writer is enough.
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Set("_query_only", "1")
	}
	return path + "?" + q.Encode(), nil
}

// openSQLite opens two pools on the file at path. Writes go through a pool
// of one connection: SQLite allows one writer at a time anyway, and waiting
// in Go's pool is cheaper and fairer than SQLite's busy loop. Reads go
// through a pool of several read-only connections, which WAL lets run while
// a write is in progress.
func openSQLite(ctx context.Context, db *DB, path string) error {
	writeDSN, err := sqliteDSN(path, true)
	if err != nil {
		return err
	}
	readDSN, err := sqliteDSN(path, false)
	if err != nil {
		return err
	}
	if db.notice, err = ownerOnly(path); err != nil {
		return err
	}
	if db.write, err = sql.Open("sqlite", writeDSN); err != nil {
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	// Connect the writer first: it switches the file to WAL before any
	// reader looks at it.
	if err := db.write.PingContext(ctx); err != nil {
		db.write.Close()
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	if db.read, err = sql.Open("sqlite", readDSN); err != nil {
		db.write.Close()
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	db.read.SetMaxOpenConns(readers)
	db.read.SetMaxIdleConns(readers)
	if err := db.read.PingContext(ctx); err != nil {
		db.read.Close()
		db.write.Close()
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	return nil
}

// ownerOnly makes the database file at path, and the -wal and -shm files
// beside it, readable and writable by their owner alone: they hold
// patrons' names, email addresses and loans, and the staff's password
// hashes. SQLite would create a new file with 0644 (less the umask), so
// the file is created here first, empty, with 0600, which SQLite then
// fills; SQLite gives the -wal and -shm files it creates the main file's
// permissions (checked with modernc.org/sqlite: TestDatabaseFilesOwnerOnly).
//
// A file found open to others, as earlier Carrels made it, is tightened
// rather than merely reported: a warning leaves the records readable until
// someone acts on it, and nothing but Carrel needs to read the file (a
// backup is `carrel db backup`, which runs as the owner). The returned
// notice says what was changed, for the operator; it is "" when nothing
// was. A file that cannot be tightened (it belongs to another user) is
// left as it is and the notice says so.
func ownerOnly(path string) (notice string, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return "", f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("storage: create %s: %w", path, err)
	}
	var loose []string
	var failed error
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		loose = append(loose, fmt.Sprintf("%s (%s)", name, fi.Mode().Perm()))
		if err := os.Chmod(name, fi.Mode().Perm()&0o700); err != nil && failed == nil {
			failed = err
		}
	}
	switch {
	case len(loose) == 0:
		return "", nil
	case failed != nil:
		return fmt.Sprintf("%s can be read by other users of this computer, and Carrel could not change that (%v): "+
			"make the database's files the owner's alone (chmod go= on each); they hold patrons' personal data",
			strings.Join(loose, ", "), failed), nil
	}
	return fmt.Sprintf("%s could be read by other users of this computer; Carrel made them the owner's alone "+
		"(chmod go=), since they hold patrons' personal data", strings.Join(loose, ", ")), nil
}

// sqliteConstraintCode maps SQLite's constraint errors to domain codes.
func sqliteConstraintCode(err error) string {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return ""
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return library.ECONFLICT
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		// The row refers to a patron, item or loan that does not exist.
		return library.ENOTFOUND
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_DATATYPE:
		return library.EINVALID
	}
	return ""
}
