package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// postgresDialect is PostgreSQL's: one pool that several Carrel nodes may
// share the database with. Read-write transactions are SERIALIZABLE, so a
// rule that counts rows before writing (loan limits, fine thresholds,
// sign-in failures) holds under any interleaving of requests on any nodes;
// a transaction that loses a conflict is run again.
var postgresDialect = &dialect{
	name:          "postgres",
	migrationsDir: "migrations/postgres",
	userTablesQuery: `SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
	returningID: true,
	remote:      true,
	update:      &sql.TxOptions{Isolation: sql.LevelSerializable},
	view:        &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	retries:     30,
	// Any fixed key will do, as long as nothing else in the database uses it.
	migrationLock: `SELECT pg_advisory_xact_lock(7406141)`,
	pools: func(db *DB) map[string]*sql.DB {
		return map[string]*sql.DB{"postgres": db.write}
	},
}

// PoolSettings are the connection pool settings of a PostgreSQL database,
// read from the URL's query parameters pool_max_conns, pool_max_idle_conns,
// pool_max_conn_lifetime and pool_max_conn_idle_time (durations such as
// "30m"). They are Carrel's and are not sent to the server.
type PoolSettings struct {
	MaxConns        int
	MaxIdleConns    int
	MaxConnLifetime time.Duration
	MaxConnIdleTime time.Duration
}

// defaultPool suits one node of a small cluster: enough connections to keep
// two cores busy while some wait on the network, few enough that several
// nodes stay well under PostgreSQL's default max_connections of 100.
var defaultPool = PoolSettings{MaxConns: 10, MaxIdleConns: 10, MaxConnLifetime: time.Hour, MaxConnIdleTime: 10 * time.Minute}

// parsePostgresURL splits Carrel's pool settings from a PostgreSQL URL and
// returns the rest as pgx's configuration.
func parsePostgresURL(target string) (*pgx.ConnConfig, PoolSettings, error) {
	ps := defaultPool
	u, err := url.Parse(target)
	if err != nil {
		return nil, ps, errors.New("storage: the PostgreSQL URL cannot be parsed (postgres://USER@HOST:PORT/DATABASE)")
	}
	q := u.Query()
	ints := map[string]*int{"pool_max_conns": &ps.MaxConns, "pool_max_idle_conns": &ps.MaxIdleConns}
	for name, dst := range ints {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, ps, fmt.Errorf("storage: %s=%q: want a whole number of 1 or more", name, v)
			}
			*dst = n
			q.Del(name)
		}
	}
	durations := map[string]*time.Duration{"pool_max_conn_lifetime": &ps.MaxConnLifetime, "pool_max_conn_idle_time": &ps.MaxConnIdleTime}
	for name, dst := range durations {
		if v := q.Get(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return nil, ps, fmt.Errorf("storage: %s=%q: want a duration such as 30m", name, v)
			}
			*dst = d
			q.Del(name)
		}
	}
	ps.MaxIdleConns = min(ps.MaxIdleConns, ps.MaxConns)
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, ps, errors.New("storage: the PostgreSQL URL is not valid (postgres://USER@HOST:PORT/DATABASE)")
	}
	return cfg, ps, nil
}

// openPostgres opens one pool for both reads and writes.
func openPostgres(ctx context.Context, db *DB, target string) error {
	cfg, ps, err := parsePostgresURL(target)
	if err != nil {
		return err
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(ps.MaxConns)
	pool.SetMaxIdleConns(ps.MaxIdleConns)
	pool.SetConnMaxLifetime(ps.MaxConnLifetime)
	pool.SetConnMaxIdleTime(ps.MaxConnIdleTime)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return fmt.Errorf("storage: connect to PostgreSQL at %s: %w", cfg.Host, err)
	}
	db.write, db.read = pool, pool
	return nil
}

// postgresConstraintCode maps PostgreSQL's integrity errors (class 23) to
// domain codes.
func postgresConstraintCode(err error) string {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return ""
	}
	switch e.Code {
	case "23505": // unique_violation
		return library.ECONFLICT
	case "23503": // foreign_key_violation
		return library.ENOTFOUND
	case "23514", "23502", "22P02", "22007", "22008": // check, not null, bad text for a type, bad date or time
		return library.EINVALID
	}
	return ""
}

// postgresRetryable reports a serialisation failure or a deadlock: the
// transaction was sacrificed for a concurrent one and may simply run again.
func postgresRetryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
}
