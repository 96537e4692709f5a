package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds the schema changes, one folder per database.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migration is one schema change, from a file named NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations in dir, in version order. The
// versions must run 1, 2, 3... without gaps, so that the highest version
// recorded in a database says exactly which migrations it has.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("storage: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		file := e.Name()
		if e.IsDir() || !strings.HasSuffix(file, ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || name == "" {
			return nil, fmt.Errorf("storage: migration %s: name is not NNNN_name.sql", file)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, file))
		if err != nil {
			return nil, fmt.Errorf("storage: read migration %s: %w", file, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("storage: migration %d (%s): expected version %d", m.version, m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaError says why a database's schema does not fit this Carrel.
type SchemaError struct {
	Current int // the database's schema version
	Latest  int // the newest version this Carrel knows
	// Unknown is set when the database has tables but no usable record of
	// Carrel's migrations; Detail says what is wrong.
	Unknown bool
	Detail  string
}

// Error implements the error interface with a message that tells the
// operator what to do.
func (e *SchemaError) Error() string {
	switch {
	case e.Unknown:
		return fmt.Sprintf("not a Carrel database or damaged: %s", e.Detail)
	case e.Current > e.Latest:
		return fmt.Sprintf("database schema version %d is newer than this Carrel (knows up to %d): upgrade Carrel", e.Current, e.Latest)
	default:
		return fmt.Sprintf("database schema version %d is older than this Carrel (needs %d): run carrel migrate", e.Current, e.Latest)
	}
}

// SchemaState returns the database's schema version and the newest one this
// Carrel knows. An empty database is version 0.
func (db *DB) SchemaState(ctx context.Context) (current, latest int, err error) {
	latest = len(db.migrations)
	rows, err := db.write.QueryContext(ctx, db.d.userTablesQuery)
	if err != nil {
		return 0, latest, fmt.Errorf("storage: list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return 0, latest, fmt.Errorf("storage: list tables: %w", err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, latest, fmt.Errorf("storage: list tables: %w", err)
	}
	if !slices.Contains(tables, "schema_migrations") {
		if len(tables) > 0 {
			return 0, latest, &SchemaError{Latest: latest, Unknown: true,
				Detail: fmt.Sprintf("it has %d tables but no schema_migrations", len(tables))}
		}
		return 0, latest, nil
	}
	var count int
	err = db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0), COUNT(*) FROM schema_migrations`).Scan(&current, &count)
	if err != nil {
		return 0, latest, fmt.Errorf("storage: read schema version: %w", err)
	}
	// Versions run without gaps, so a count that differs from the highest
	// version means rows were lost. A newer Carrel's records are not ours to
	// judge: that database is simply newer.
	if count != current && current <= latest {
		return current, latest, &SchemaError{Current: current, Latest: latest, Unknown: true,
			Detail: fmt.Sprintf("schema_migrations records %d migrations up to version %d", count, current)}
	}
	return current, latest, nil
}

// CheckSchema returns a *SchemaError unless the database's schema is exactly
// the one this Carrel expects. A server checks before it starts, and
// refuses rather than run on a schema it does not know.
func (db *DB) CheckSchema(ctx context.Context) error {
	current, latest, err := db.SchemaState(ctx)
	if err != nil {
		return err
	}
	if current != latest {
		return &SchemaError{Current: current, Latest: latest}
	}
	return nil
}

// Migrate applies the migrations the database does not have yet, in order,
// and returns how many it applied. Each migration runs in its own
// transaction together with its row in schema_migrations, so a database is
// always at one version or the next, never in between. It refuses a
// database newer than this Carrel, or one that is not Carrel's.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	current, latest, err := db.SchemaState(ctx)
	if err != nil {
		return 0, err
	}
	if current > latest {
		return 0, &SchemaError{Current: current, Latest: latest}
	}
	return db.applyAll(ctx, db.migrations[current:])
}

// applyAll applies the migrations ms in order, each unless another process
// applied it first, and returns how many this one applied.
func (db *DB) applyAll(ctx context.Context, ms []migration) (applied int, err error) {
	if err := db.createMigrationsTable(ctx); err != nil {
		return 0, fmt.Errorf("storage: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		ok, err := db.apply(ctx, m)
		if err != nil {
			return applied, err
		}
		if ok {
			applied++
		}
	}
	return applied, nil
}

// apply runs one migration unless another process applied it first; it
// reports whether it ran it.
func (db *DB) apply(ctx context.Context, m migration) (bool, error) {
	t, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("storage: migration %d (%s): %w", m.version, m.name, err)
	}
	defer t.Rollback()
	// The migration lock (SQLite: the write lock, held since BEGIN) keeps
	// this answer true until commit.
	if err := db.lockMigrations(ctx, t); err != nil {
		return false, fmt.Errorf("storage: migration %d (%s): %w", m.version, m.name, err)
	}
	var n int
	err = t.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("storage: migration %d (%s): %w", m.version, m.name, err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := t.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("storage: migration %d (%s): %w", m.version, m.name, err)
	}
	_, err = t.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.version, m.name, timeArg(time.Now()))
	if err != nil {
		return false, fmt.Errorf("storage: migration %d (%s): record: %w", m.version, m.name, err)
	}
	if err := t.Commit(); err != nil {
		return false, fmt.Errorf("storage: migration %d (%s): commit: %w", m.version, m.name, err)
	}
	return true, nil
}

// lockMigrations takes the dialect's migration lock in t, when it has one,
// so that several processes migrating at once go one after another.
func (db *DB) lockMigrations(ctx context.Context, t *sql.Tx) error {
	if db.d.migrationLock == "" {
		return nil
	}
	_, err := t.ExecContext(ctx, db.d.migrationLock)
	return err
}

// createMigrationsTable creates the table that records applied migrations,
// if it is not there yet.
func (db *DB) createMigrationsTable(ctx context.Context) error {
	t, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := db.lockMigrations(ctx, t); err != nil {
		return err
	}
	_, err = t.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`)
	if err != nil {
		return err
	}
	return t.Commit()
}
