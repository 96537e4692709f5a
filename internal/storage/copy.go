package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// CopyOptions are the choices of a copy.
type CopyOptions struct {
	// Sessions copies the sessions too (the tables marked optional in
	// tables.go: patrons' and staff's). They are short-lived, so by default
	// they are left behind and whoever was signed in signs in again.
	Sessions bool
	// Progress, when set, is called as each table is copied with the rows
	// copied so far and the table's rows in all.
	Progress func(table string, done, total int)
}

// CopyReport says what a copy copied.
type CopyReport struct {
	SchemaVersion int
	Tables        []TableCopy // in the order they were copied
	Elapsed       time.Duration
}

// Rows returns the number of rows copied in all.
func (r CopyReport) Rows() int {
	n := 0
	for _, t := range r.Tables {
		n += t.Rows
	}
	return n
}

// TableCopy is one table of a CopyReport.
type TableCopy struct {
	Table   string
	Rows    int
	Skipped bool // left behind: a table of sessions, without CopyOptions.Sessions
}

// ErrTargetNotEmpty is the error of a copy into a database that holds
// something already: a copy only fills an empty database.
var ErrTargetNotEmpty = errors.New("storage: the target database is not empty")

// progressEvery is how many rows go by between two calls of Progress.
const progressEvery = 2000

// Copy copies the whole library in src into dst, which must be empty, and
// reports what it copied. src must be at this Carrel's schema version; dst
// is given the schema if it has none yet.
//
// Every table is copied with its rows' ids, PIN hashes as they are (no
// patron has to change a PIN), and each id sequence of dst is moved past
// the highest id src has handed out. src is read in one read-only
// transaction, a snapshot, so a server may keep running on it (what it
// changes after the copy starts is not copied); dst is written in one
// transaction, which is verified table by table, row count and a checksum
// of every row, before it commits. Whatever fails, dst holds no rows (it
// may have been given the schema, and a second copy may then fill it).
func Copy(ctx context.Context, dst, src *DB, opts CopyOptions) (CopyReport, error) {
	start := time.Now()
	if err := src.CheckSchema(ctx); err != nil {
		return CopyReport{}, fmt.Errorf("storage: the source: %w", err)
	}
	if err := src.CheckCopyTables(ctx); err != nil {
		return CopyReport{}, err
	}
	if err := dst.prepareCopyTarget(ctx); err != nil {
		return CopyReport{}, err
	}
	rep := CopyReport{SchemaVersion: len(src.migrations)}
	if err := copyAll(ctx, dst, src, opts, &rep); err != nil {
		return CopyReport{}, err
	}
	// Fresh statistics for PostgreSQL's planner; a failure here loses nothing.
	cd := copyDialectOf(dst.d)
	for _, t := range rep.Tables {
		if cd.analyze != "" && !t.Skipped {
			dst.write.ExecContext(ctx, cd.analyze+" "+t.Table)
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// prepareCopyTarget refuses a database that holds anything (rows in
// Carrel's tables, or tables that are not Carrel's), and gives an empty one
// the schema. A database refused is left as it was.
func (db *DB) prepareCopyTarget(ctx context.Context) error {
	names, err := db.userTables(ctx, db.write)
	if err != nil {
		return err
	}
	known := carrelTables()
	var foreign []string
	for _, name := range names {
		if name != "schema_migrations" && !slices.ContainsFunc(known, func(t copyTable) bool { return t.name == name }) {
			foreign = append(foreign, name)
		}
	}
	if len(foreign) > 0 {
		return fmt.Errorf("%w: it has tables that are not Carrel's (%s); copy into a new, empty database",
			ErrTargetNotEmpty, strings.Join(foreign, ", "))
	}
	current, latest, err := db.SchemaState(ctx)
	if err != nil {
		return fmt.Errorf("storage: the target: %w", err)
	}
	if current > latest {
		return fmt.Errorf("storage: the target: %w", &SchemaError{Current: current, Latest: latest})
	}
	var held []string
	for _, t := range known {
		if !slices.Contains(names, t.name) {
			continue
		}
		var n int
		if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&n); err != nil {
			return fmt.Errorf("storage: count %s in the target: %w", t.name, err)
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%d %s", n, t.name))
		}
	}
	if len(held) > 0 {
		return fmt.Errorf("%w: it holds %s; copy into a new, empty database", ErrTargetNotEmpty, strings.Join(held, ", "))
	}
	if current < latest {
		if _, err := db.Migrate(ctx); err != nil {
			return fmt.Errorf("storage: the target: %w", err)
		}
	}
	return nil
}

// copyAll copies every table from a snapshot of src into one transaction
// on dst, verifies it, and commits.
func copyAll(ctx context.Context, dst, src *DB, opts CopyOptions, rep *CopyReport) error {
	srcTx, err := src.read.BeginTx(ctx, src.d.view)
	if err != nil {
		return fmt.Errorf("storage: copy: begin reading the source: %w", err)
	}
	defer srcTx.Rollback()
	// The writes need one connection of their own: on PostgreSQL they go
	// through pgx's COPY on the connection that holds the transaction.
	conn, err := dst.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("storage: copy: connect to the target: %w", err)
	}
	defer conn.Close()
	// Read committed is enough (SQLite's writer takes the write lock at
	// BEGIN anyway): the target is empty, and a row written beside the copy
	// would collide with a copied id or show in the verification.
	dstTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: copy: begin writing the target: %w", err)
	}
	defer dstTx.Rollback()

	cd := copyDialectOf(dst.d)
	for _, t := range carrelTables() {
		// Checked again inside the transaction: something may have written
		// to the target since it was found empty.
		if err := dstTx.QueryRowContext(ctx, `SELECT 1 FROM `+t.name+` LIMIT 1`).Scan(new(int)); !errors.Is(err, sql.ErrNoRows) {
			if err == nil {
				return fmt.Errorf("%w: rows appeared in %s while the copy started", ErrTargetNotEmpty, t.name)
			}
			return fmt.Errorf("storage: copy: %s in the target: %w", t.name, err)
		}
	}
	restoreKeys := func() error { return nil }
	if cd.dropForeignKeys != nil {
		if restoreKeys, err = cd.dropForeignKeys(ctx, dstTx); err != nil {
			return fmt.Errorf("storage: copy: %w", err)
		}
	}
	resumeSearch, err := suspendSearchIndex(ctx, dst.d, dstTx)
	if err != nil {
		return fmt.Errorf("storage: copy: %w", err)
	}
	var tables []copyTable
	sums := map[string]*tableSum{}
	for _, t := range carrelTables() {
		var maxID int64
		if t.optional && !opts.Sessions {
			rep.Tables = append(rep.Tables, TableCopy{Table: t.name, Skipped: true})
		} else {
			sum, err := copyTableRows(ctx, cd, conn, dstTx, srcTx, src.d, t, opts.Progress)
			if err != nil {
				return err
			}
			tables = append(tables, t)
			sums[t.name] = sum
			rep.Tables = append(rep.Tables, TableCopy{Table: t.name, Rows: sum.rows})
			maxID = sum.maxID
		}
		if t.identity() {
			// Even a table left behind keeps its place: an id the source
			// has handed out is not handed out again.
			var seen int64
			if err := srcTx.QueryRowContext(ctx, copyDialectOf(src.d).highWater, t.name).Scan(&seen); err != nil {
				return fmt.Errorf("storage: copy: id sequence of %s in the source: %w", t.name, err)
			}
			if err := cd.setNext(ctx, dstTx, t.name, max(seen, maxID)); err != nil {
				return fmt.Errorf("storage: copy: id sequence of %s in the target: %w", t.name, err)
			}
		}
	}

	if err := restoreKeys(); err != nil {
		return fmt.Errorf("storage: copy: %w", err)
	}
	if err := resumeSearch(); err != nil {
		return fmt.Errorf("storage: copy: %w", err)
	}

	// Read back what was written, in the same transaction, and compare.
	var diffs []TableDiff
	for _, t := range tables {
		got, err := sumTable(ctx, dstTx, dst.d, t)
		if err != nil {
			return err
		}
		if d, ok := compareSums(t.name, sums[t.name], got); !ok {
			diffs = append(diffs, d)
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("storage: copy: verification failed, nothing was copied: %w", &VerifyError{Diffs: diffs})
	}
	if err := dstTx.Commit(); err != nil {
		return fmt.Errorf("storage: copy: commit: %w", err)
	}
	return nil
}

// copyTableRows copies one table, and returns the checksum of the rows it
// read from the source.
func copyTableRows(ctx context.Context, cd *copyDialect, conn *sql.Conn, dstTx, srcTx *sql.Tx,
	srcDialect *dialect, t copyTable, progress func(string, int, int)) (*tableSum, error) {
	var total int
	if err := srcTx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&total); err != nil {
		return nil, fmt.Errorf("storage: copy: count %s in the source: %w", t.name, err)
	}
	r, err := readTable(ctx, srcTx, srcDialect, t)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if progress != nil {
		progress(t.name, 0, total)
		r.tick = func(done int) { progress(t.name, done, total) }
	}
	if err := cd.write(ctx, conn, dstTx, t, r.next); err != nil {
		return nil, fmt.Errorf("storage: copy %s: %w", t.name, err)
	}
	if err := r.close(); err != nil {
		return nil, err
	}
	if progress != nil {
		progress(t.name, r.sum.rows, total)
	}
	return r.sum, nil
}

// Verify compares every table of two Carrel databases (sessions
// included), row count and checksum, and returns a *VerifyError naming the
// tables that differ. Each database is read in one snapshot.
func Verify(ctx context.Context, a, b *DB) error {
	sumsA, err := a.checksums(ctx)
	if err != nil {
		return err
	}
	sumsB, err := b.checksums(ctx)
	if err != nil {
		return err
	}
	var diffs []TableDiff
	for i, t := range carrelTables() {
		if d, ok := compareSums(t.name, sumsA[i], sumsB[i]); !ok {
			diffs = append(diffs, d)
		}
	}
	if len(diffs) > 0 {
		return &VerifyError{Diffs: diffs}
	}
	return nil
}

// checksums sums every table of the copy list, in one snapshot.
func (db *DB) checksums(ctx context.Context) ([]*tableSum, error) {
	if err := db.CheckCopyTables(ctx); err != nil {
		return nil, err
	}
	t, err := db.read.BeginTx(ctx, db.d.view)
	if err != nil {
		return nil, fmt.Errorf("storage: verify %s: %w", db.name, err)
	}
	defer t.Rollback()
	var sums []*tableSum
	for _, table := range carrelTables() {
		s, err := sumTable(ctx, t, db.d, table)
		if err != nil {
			return nil, err
		}
		sums = append(sums, s)
	}
	return sums, nil
}

// VerifyError says which tables differ between two databases.
type VerifyError struct {
	Diffs []TableDiff
}

// TableDiff is one table that differs: in row count, or in content.
type TableDiff struct {
	Table                  string
	SourceRows, TargetRows int
	SourceSum, TargetSum   string // checksums, in hex
}

// Error implements the error interface.
func (e *VerifyError) Error() string {
	parts := make([]string, len(e.Diffs))
	for i, d := range e.Diffs {
		if d.SourceRows != d.TargetRows {
			parts[i] = fmt.Sprintf("table %s has %d rows in the source and %d in the target", d.Table, d.SourceRows, d.TargetRows)
		} else {
			parts[i] = fmt.Sprintf("table %s has as many rows (%d) but different ones (checksum %.12s in the source, %.12s in the target)",
				d.Table, d.TargetRows, d.SourceSum, d.TargetSum)
		}
	}
	return strings.Join(parts, "; ")
}

// compareSums compares two checksums of a table.
func compareSums(table string, src, dst *tableSum) (TableDiff, bool) {
	a, b := src.hex(), dst.hex()
	d := TableDiff{Table: table, SourceRows: src.rows, TargetRows: dst.rows, SourceSum: a, TargetSum: b}
	return d, src.rows == dst.rows && a == b
}

// copyDialect is what a copy does differently on each database. It sits
// beside the copy rather than in dialect so that the feature keeps to its
// own files; it could move there.
type copyDialect struct {
	// byteOrder follows a text key in ORDER BY, so that both databases
	// order it alike, by its UTF-8 bytes (SQLite's default, BINARY).
	byteOrder string
	// highWater returns the highest id the id sequence of table $1 has
	// handed out, 0 for none.
	highWater string
	// write writes the rows next returns, in a copy's form (see canon),
	// until it returns none.
	write func(ctx context.Context, conn *sql.Conn, tx *sql.Tx, t copyTable, next func() ([]any, error)) error
	// setNext makes the table's next generated id come after last.
	setNext func(ctx context.Context, tx *sql.Tx, table string, last int64) error
	// analyze, when set, starts a statement that refreshes the planner's
	// statistics of the table named after it.
	analyze string
	// dropForeignKeys, when set, drops the foreign keys in tx before the
	// rows are written, and returns what adds them back (checking every
	// row at once) after.
	dropForeignKeys func(ctx context.Context, tx *sql.Tx) (restore func() error, err error)
}

// copyDialectOf returns the copyDialect of a database's dialect.
func copyDialectOf(d *dialect) *copyDialect {
	if d == postgresDialect {
		return postgresCopy
	}
	return sqliteCopy
}

// sqliteCopy writes through one prepared INSERT in the transaction: as fast
// as SQLite goes. Only AUTOINCREMENT tables keep a sequence (in
// sqlite_sequence); the others take the highest id plus one anyway.
var sqliteCopy = &copyDialect{
	highWater: `SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = $1`,
	write: func(ctx context.Context, _ *sql.Conn, tx *sql.Tx, t copyTable, next func() ([]any, error)) error {
		marks := make([]string, len(t.columns))
		for i := range marks {
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+t.name+` (`+t.columnList()+`) VALUES (`+strings.Join(marks, ", ")+`)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		args := make([]any, len(t.columns))
		for {
			row, err := next()
			if err != nil || row == nil {
				return err
			}
			for i, c := range t.columns {
				args[i] = sqliteValue(c.kind, row[i])
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
	},
	setNext: func(ctx context.Context, tx *sql.Tx, table string, last int64) error {
		if last <= 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = $2 WHERE name = $1 AND seq < $2`, table, last)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) SELECT $1, $2
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $1)
AND EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1 AND sql LIKE '%AUTOINCREMENT%')`, table, last)
		return err
	},
}

// postgresCopy writes with COPY through pgx, on the connection that holds
// the transaction, and moves each identity sequence with setval.
var postgresCopy = &copyDialect{
	byteOrder: ` COLLATE "C"`,
	highWater: `SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass), 0)`,
	write: func(ctx context.Context, conn *sql.Conn, _ *sql.Tx, t copyTable, next func() ([]any, error)) error {
		names := make([]string, len(t.columns))
		for i, c := range t.columns {
			names[i] = c.name
		}
		return conn.Raw(func(driverConn any) error {
			c, ok := driverConn.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("not a pgx connection: %T", driverConn)
			}
			_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{t.name}, names, pgx.CopyFromFunc(next))
			return err
		})
	},
	setNext: func(ctx context.Context, tx *sql.Tx, table string, last int64) error {
		// setval(seq, n, true) makes the next id n+1; an unused sequence
		// starts again at 1.
		_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), $2, $3)`, table, max(last, 1), last > 0)
		return err
	},
	analyze:         "ANALYZE",
	dropForeignKeys: dropPostgresForeignKeys,
}

// dropPostgresForeignKeys drops the foreign keys of the current schema in
// tx, as pg_restore does before loading: PostgreSQL checks a foreign key
// row by row as rows come in, which took two thirds of the time of copying
// 200,000 loans (2.4 s of 3.2 s), and adding the key back checks all the
// rows in one join (0.1 s). In the transaction, nobody sees the table
// without its keys, and a failure rolls the drop back too.
func dropPostgresForeignKeys(ctx context.Context, tx *sql.Tx) (func() error, error) {
	rows, err := tx.QueryContext(ctx, `SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	var keys [][3]string
	for rows.Next() {
		var k [3]string
		if err := rows.Scan(&k[0], &k[1], &k[2]); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list foreign keys: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+k[0]+` DROP CONSTRAINT `+pgx.Identifier{k[1]}.Sanitize()); err != nil {
			return nil, fmt.Errorf("drop foreign key %s: %w", k[1], err)
		}
	}
	return func() error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `ALTER TABLE `+k[0]+` ADD CONSTRAINT `+pgx.Identifier{k[1]}.Sanitize()+` `+k[2]); err != nil {
				return fmt.Errorf("add foreign key %s back: %w", k[1], err)
			}
		}
		return nil
	}, nil
}

// SameDatabase reports whether two targets name the same database: the
// same SQLite file, or the same PostgreSQL server, database and schema
// (search_path), whoever connects.
func SameDatabase(a, b string) bool {
	if IsPostgres(a) != IsPostgres(b) {
		return false
	}
	if !IsPostgres(a) {
		fa, errA := os.Stat(a)
		fb, errB := os.Stat(b)
		if errA == nil && errB == nil {
			return os.SameFile(fa, fb)
		}
		absA, errA := filepath.Abs(a)
		absB, errB := filepath.Abs(b)
		return errA == nil && errB == nil && absA == absB
	}
	ca, _, errA := parsePostgresURL(a)
	cb, _, errB := parsePostgresURL(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return ca.Host == cb.Host && ca.Port == cb.Port && ca.Database == cb.Database &&
		ca.RuntimeParams["search_path"] == cb.RuntimeParams["search_path"]
}
