package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// A bulk load fills an empty library with many rows at once: a generated
// library for measuring Carrel (`carrel demo --size large`), millions of
// rows in minutes. It writes through the same pieces as `carrel db copy`
// (copyDialect: one prepared INSERT in one transaction on SQLite, COPY on
// PostgreSQL with the foreign keys dropped and added back in the same
// transaction), so both databases take one code path.
//
// It stores rows as the caller gives them, ids included, which is what
// makes it fast: no id is read back, and loans refer to the patrons and
// items by the ids the caller chose. It is not for changing a library in
// use, and it applies none of the domain's rules; the caller answers for
// the rows being what Carrel's own operations would have left (the schema
// still refuses what it can: an item lent twice, a barcode used twice, an
// open loan without a patron, a loan of an item that does not exist).

// Bulk is one bulk load in progress: see DB.BulkLoad.
type Bulk struct {
	ctx  context.Context
	cd   *copyDialect
	conn *sql.Conn
	tx   *sql.Tx
	now  time.Time
	// maxID is the highest id written to each table, to move its id
	// sequence past at the end.
	maxID map[string]int64
	// Progress, when set, is called every few thousand rows with the table
	// being written, the rows written by this call so far and the rows the
	// call was given.
	Progress func(table string, done, total int)
}

// BulkLoad runs fn, which writes rows through the Bulk it is given, in one
// transaction on an empty database, and commits when fn returns nil. A
// database that holds any row of Carrel's, or tables that are not Carrel's,
// is refused with ErrTargetNotEmpty and left as it was; an empty one is
// given the schema first. At the end each id sequence is moved past the
// highest id written, so that rows Carrel adds later get new ids. Whatever
// fails, nothing is written.
//
// Write rows after those they refer to (items and patrons before their
// loans): SQLite checks a foreign key as each row is written, PostgreSQL
// all of them at the end (dropping the keys for the load, as `db copy`
// does, makes COPY several times faster).
func (db *DB) BulkLoad(ctx context.Context, fn func(b *Bulk) error) error {
	if err := db.prepareCopyTarget(ctx); err != nil {
		return err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("storage: bulk load: connect: %w", err)
	}
	defer conn.Close()
	if cd := copyDialectOf(db.d); cd == sqliteCopy {
		restore, err := bulkCache(ctx, conn)
		if err != nil {
			return fmt.Errorf("storage: bulk load: %w", err)
		}
		defer restore()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: bulk load: begin: %w", err)
	}
	defer tx.Rollback()
	for _, t := range carrelTables() {
		// Checked again inside the transaction: something may have written
		// to the database since it was found empty.
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+t.name+` LIMIT 1`).Scan(new(int)); !errors.Is(err, sql.ErrNoRows) {
			if err == nil {
				return fmt.Errorf("%w: rows appeared in %s as the load started", ErrTargetNotEmpty, t.name)
			}
			return fmt.Errorf("storage: bulk load: %s: %w", t.name, err)
		}
	}
	b := &Bulk{ctx: ctx, cd: copyDialectOf(db.d), conn: conn, tx: tx, now: time.Now(), maxID: map[string]int64{}}
	restoreKeys := func() error { return nil }
	if b.cd.dropForeignKeys != nil {
		if restoreKeys, err = b.cd.dropForeignKeys(ctx, tx); err != nil {
			return fmt.Errorf("storage: bulk load: %w", err)
		}
	}
	resumeSearch, err := suspendSearchIndex(ctx, db.d, tx)
	if err != nil {
		return fmt.Errorf("storage: bulk load: %w", err)
	}
	if err := fn(b); err != nil {
		return err
	}
	for _, t := range carrelTables() {
		if last, ok := b.maxID[t.name]; ok {
			if err := b.cd.setNext(ctx, tx, t.name, last); err != nil {
				return fmt.Errorf("storage: bulk load: id sequence of %s: %w", t.name, err)
			}
		}
	}
	// Adding the keys back checks every row written against them.
	if err := restoreKeys(); err != nil {
		return fmt.Errorf("storage: bulk load: %w", err)
	}
	if err := resumeSearch(); err != nil {
		return fmt.Errorf("storage: bulk load: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: bulk load: commit: %w", err)
	}
	// Fresh statistics for PostgreSQL's planner; a failure here loses nothing.
	if b.cd.analyze != "" {
		for _, t := range carrelTables() {
			if _, ok := b.maxID[t.name]; ok {
				db.write.ExecContext(ctx, b.cd.analyze+" "+t.name)
			}
		}
	}
	return nil
}

// bulkCacheKiB is SQLite's page cache for a bulk load. With the default
// (2 MiB) the pages of the open loans' indexes, written in random order,
// went out to the write-ahead log and back for every few rows: 100,000
// open loans took 11 s, and 1.3 s with 64 MiB; the whole large library
// took 40 s, and 21 s.
const bulkCacheKiB = 64 << 10

// bulkCache gives a SQLite connection the page cache of a bulk load, and
// returns what gives it back the cache it had: the connection goes back to
// the pool afterwards.
func bulkCache(ctx context.Context, conn *sql.Conn) (restore func(), err error) {
	var was int64
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&was); err != nil {
		return nil, fmt.Errorf("page cache size: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, bulkCacheKiB)); err != nil {
		return nil, fmt.Errorf("page cache size: %w", err)
	}
	return func() { conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA cache_size = %d`, was)) }, nil
}

// Patrons writes n patrons: patron(i) for i from 0 to n-1, each with its
// ID set (positive, unique) and its PIN record as it is to be stored.
func (b *Bulk) Patrons(n int, patron func(i int) library.Patron) error {
	return b.write("patrons", n, func(i int, set func(string, any)) {
		p := patron(i)
		set("id", p.ID)
		set("barcode", p.Barcode)
		set("category", p.Category)
		set("name", p.Name)
		set("email", p.Email)
		set("registered_on", bulkDate(p.RegisteredOn))
		set("expires_on", bulkDate(p.ExpiresOn))
		set("blocked_reason", p.BlockedReason)
		set("pin_kind", string(p.PIN.Kind))
		set("pin_hash", bulkText(p.PIN.Hash))
		set("pin_set_at", bulkTime(p.PIN.SetAt))
		set("pin_expires_at", bulkTime(p.PIN.ExpiresAt))
		set("block_notice_reason", p.BlockNotice.Reason)
		set("block_notice_text", p.BlockNotice.Text)
		set("block_notice_shown", p.BlockNotice.Shown)
		set("created_at", b.now)
		set("updated_at", b.now)
	})
}

// Items writes n items: item(i) for i from 0 to n-1, each with its ID set.
func (b *Bulk) Items(n int, item func(i int) library.Item) error {
	return b.write("items", n, func(i int, set func(string, any)) {
		it := item(i)
		set("id", it.ID)
		set("barcode", it.Barcode)
		set("title", it.Title)
		set("author", it.Author)
		set("call_number", it.CallNumber)
		set("location", it.Location)
		set("withdrawn", it.Withdrawn)
	})
}

// Loans writes n loans: loan(i) for i from 0 to n-1, each with its ID set
// and its Item.ID naming an item. A returned loan unlinked from its patron
// has PatronID 0; an open loan has a zero ReturnedAt.
func (b *Bulk) Loans(n int, loan func(i int) library.Loan) error {
	return b.write("loans", n, func(i int, set func(string, any)) {
		l := loan(i)
		set("id", l.ID)
		set("patron_id", bulkID(l.PatronID))
		set("item_id", l.Item.ID)
		set("checked_out_at", bulkTime(l.CheckedOutAt))
		set("due_at", bulkTime(l.DueAt))
		set("renewals", int64(l.Renewals))
		set("returned_at", bulkTime(l.ReturnedAt))
	})
}

// Audit appends an entry to the audit log, with the next id.
func (b *Bulk) Audit(e library.AuditEntry) error {
	id := b.maxID["audit_log"] + 1
	return b.write("audit_log", 1, func(_ int, set func(string, any)) {
		set("id", id)
		set("at", e.At)
		set("actor", e.Actor)
		set("patron_id", bulkID(e.PatronID))
		set("action", e.Action)
		set("detail", e.Detail)
		set("client_addr", e.Addr)
	})
}

// write writes n rows of a table in a copy's form (see canon). fill(i, set)
// gives row i's values by column name; a column of the table that fill
// does not set, or a name that is not a column, is an error, so that a
// column added to the schema (and to tables.go) is not silently left
// empty here.
func (b *Bulk) write(table string, n int, fill func(i int, set func(column string, v any))) error {
	i := slices.IndexFunc(carrelTables(), func(t copyTable) bool { return t.name == table })
	t := carrelTables()[i]
	index := make(map[string]int, len(t.columns))
	for c, col := range t.columns {
		index[col.name] = c
	}
	key := index[t.key]
	// One row is reused: both writers are done with a row before they ask
	// for the next (pgx encodes it into its buffer at once).
	row := make([]any, len(t.columns))
	given := make([]bool, len(t.columns))
	var problem error
	set := func(column string, v any) {
		c, ok := index[column]
		if !ok {
			problem = fmt.Errorf("storage: bulk load: %s has no column %s", table, column)
			return
		}
		if tm, ok := v.(time.Time); ok {
			v = tm.UTC().Truncate(time.Microsecond)
		}
		row[c], given[c] = v, true
	}
	done := 0
	next := func() ([]any, error) {
		if done == n {
			return nil, nil
		}
		clear(given)
		fill(done, set)
		if problem != nil {
			return nil, problem
		}
		if c := slices.Index(given, false); c >= 0 {
			return nil, fmt.Errorf("storage: bulk load: nothing given for column %s.%s (internal/storage/bulk.go)", table, t.columns[c].name)
		}
		id, _ := row[key].(int64)
		if t.identity() && id <= 0 {
			return nil, fmt.Errorf("storage: bulk load: %s row %d has no id", table, done+1)
		}
		b.maxID[table] = max(b.maxID[table], id)
		done++
		if b.Progress != nil && (done%progressEvery == 0 || done == n) {
			b.Progress(table, done, n)
		}
		return row, nil
	}
	if b.Progress != nil {
		b.Progress(table, 0, n)
	}
	if err := b.cd.write(b.ctx, b.conn, b.tx, t, next); err != nil {
		return fmt.Errorf("storage: bulk load %s: %w", table, err)
	}
	if done != n {
		return fmt.Errorf("storage: bulk load %s: %d of %d rows written", table, done, n)
	}
	return nil
}

// bulkID is an id in a copy's form: NULL for none.
func bulkID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// bulkText is a text that may be NULL, in a copy's form: NULL for "".
func bulkText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// bulkTime is an instant in a copy's form: NULL for the zero time.
func bulkTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// bulkDate is a day in a copy's form, midnight UTC: NULL for the zero Date.
func bulkDate(d library.Date) any {
	if d.IsZero() {
		return nil
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}
