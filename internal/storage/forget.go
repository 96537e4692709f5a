package storage

import (
	"context"
	"fmt"
)

// ForgetFreed rewrites the database so that rows deleted or replaced are
// gone from its files, not merely marked free: after two-factor secrets
// kept in clear by an earlier Carrel are sealed, or the column that held
// secrets being set up is dropped, their old bytes would otherwise stay in
// free pages, readable by anyone with the file, until written over. On
// SQLite it is VACUUM, which writes the live rows into fresh pages, and a
// checkpoint that empties the WAL; on PostgreSQL, VACUUM FULL of the staff
// table (a few rows), which writes it anew. PostgreSQL's write-ahead log
// and any base backups keep what they kept: the secrets that sat in clear
// there are best set up again (carrel staff reset-totp).
func (db *DB) ForgetFreed(ctx context.Context) error {
	stmts := []string{`VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`}
	if db.d != sqliteDialect {
		stmts = []string{`VACUUM FULL staff`}
	}
	for _, s := range stmts {
		if _, err := db.write.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("storage: %s: %w", s, err)
		}
	}
	return nil
}

// MigrationVersion returns the version of the migration with the given
// name (as in NNNN_name.sql), or 0 when there is none: a command knows by
// it whether a run of Migrate crossed that migration.
func (db *DB) MigrationVersion(name string) int {
	for _, m := range db.migrations {
		if m.name == name {
			return m.version
		}
	}
	return 0
}

// MigrateTo applies the migrations the database does not have yet up to
// and including version, as Migrate does, and returns how many it applied:
// a library as an earlier Carrel left it, for the tests of an upgrade.
func (db *DB) MigrateTo(ctx context.Context, version int) (applied int, err error) {
	current, latest, err := db.SchemaState(ctx)
	if err != nil {
		return 0, err
	}
	if version > latest || current > version {
		return 0, fmt.Errorf("storage: migrate to version %d: the database is at %d, this Carrel knows up to %d", version, current, latest)
	}
	return db.applyAll(ctx, db.migrations[current:version])
}
