package storage

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// The queries are written once, with $N placeholders and standard SQL that
// SQLite (through modernc.org/sqlite) and PostgreSQL (through pgx) both
// accept. What differs between the two databases is gathered in a dialect:
// sqlite.go and postgres.go each define one, and nothing else in this
// package asks which database it is on.
type dialect struct {
	// name is "sqlite" or "postgres".
	name string
	// migrationsDir is the folder of the embedded file system that holds
	// this database's migrations.
	migrationsDir string
	// userTablesQuery lists the tables of the database that are not the
	// database's own, to tell an empty database from someone else's.
	userTablesQuery string
	// returningID is set when an INSERT reports its new ID only through
	// "RETURNING id" (PostgreSQL has no last-insert ID).
	returningID bool
	// remote is set when every statement is a round trip to a server, so
	// that writing many rows in one statement, or reading two things in one
	// query, saves more than it costs.
	remote bool
	// prepareInTx is set when statements used again and again in one
	// transaction are worth preparing on it. pgx caches prepared
	// statements per connection by itself, so PostgreSQL does without.
	prepareInTx bool
	// update and view are the options of read-write and read-only
	// transactions.
	update, view *sql.TxOptions
	// retries is how many times a read-write transaction that lost a
	// serialisation conflict to a concurrent one is run again.
	retries int
	// migrationLock, when set, is run first in every migration
	// transaction so that several nodes starting at once migrate one after
	// another.
	migrationLock string
	// pools describes the database's connection pools for metrics.
	pools func(db *DB) map[string]*sql.DB
}

// IsPostgres reports whether target names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// timeLayout is how an instant is written in a query: UTC, fixed width,
// microseconds (the precision PostgreSQL keeps). SQLite stores this text, so
// that comparing the text compares the instants; PostgreSQL reads it into a
// timestamptz.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// timeArg encodes an instant for a query; the zero time is NULL.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTimeText(t)
}

// timeBound encodes an instant that a stored one is compared with. Unlike
// timeArg it never gives NULL, which compares with nothing: the zero time is
// "0001-01-01T00:00:00.000000Z", earlier than any stored instant.
func timeBound(t time.Time) string {
	return formatTimeText(t)
}

// parseTime reads an instant in timeLayout.
func parseTime(s string) (time.Time, error) {
	if t, ok := parseTimeText(s); ok {
		return t, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// dateArg encodes a calendar day for a query; the zero Date is NULL.
func dateArg(d library.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// insert runs an INSERT and returns the new row's ID. On SQLite the ID comes
// with the result: INSERT ... RETURNING would make SQLite buffer the row in
// a temporary table and read it back, which made an import of 100,000
// patrons take half as long again (1.8 s against 1.2 s). PostgreSQL has no
// last-insert ID, so there the query gets "RETURNING id".
func (t *tx) insert(query string, args ...any) (int64, error) {
	if t.d.returningID {
		var id int64
		err := t.queryRow(query+" RETURNING id", args...).Scan(&id)
		return id, err
	}
	res, err := t.exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// constraintCode returns the domain error code for an error that breaks a
// constraint of the schema, or "" for any other error.
func constraintCode(err error) string {
	if code := sqliteConstraintCode(err); code != "" {
		return code
	}
	return postgresConstraintCode(err)
}

// retryable reports whether a transaction failed only because a concurrent
// one won a conflict, so that running it again may succeed.
func retryable(err error) bool {
	return postgresRetryable(err)
}

// backoff waits before the nth retry of a transaction (a few milliseconds,
// growing, with jitter so that the losers of a conflict do not meet again).
func backoff(ctx context.Context, n int) error {
	d := time.Duration(1+n*n) * time.Millisecond
	d += rand.N(d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// errRetriesExhausted says a transaction kept losing conflicts: the
// caller is told to try again shortly, as when the server is busy.
var errRetriesExhausted = library.Errorf(library.EUNAVAILABLE, "storage: too many concurrent changes; try again")

// Describe names the database at target for messages and logs: a SQLite
// path as it is, a PostgreSQL URL without its password.
func Describe(target string) string {
	if !IsPostgres(target) {
		return target
	}
	u, err := url.Parse(target)
	if err != nil {
		return "a PostgreSQL database"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	u.RawQuery = ""
	return u.String()
}
