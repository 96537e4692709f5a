package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"time"
)

// carrelTables lists every table of Carrel's schema but schema_migrations,
// with its columns, in foreign-key order: a table comes after the tables it
// refers to. It is the one list `carrel db copy` works from, so a migration
// that adds a table or a column must add it here too; CheckCopyTables, run
// by every copy and by the tests on both databases, says so until it is.
func carrelTables() []copyTable {
	return []copyTable{
		{name: "patrons", key: "id", columns: []column{
			{"id", kindInt}, {"barcode", kindText}, {"category", kindText}, {"name", kindText},
			{"email", kindText}, {"registered_on", kindDate}, {"expires_on", kindDate},
			{"blocked_reason", kindText}, {"pin_kind", kindText}, {"pin_hash", kindText},
			{"pin_set_at", kindTime}, {"pin_expires_at", kindTime},
			{"created_at", kindTime}, {"updated_at", kindTime},
			{"block_notice_reason", kindText}, {"block_notice_text", kindText}, {"block_notice_shown", kindBool}, // migration 0012
		}},
		{name: "items", key: "id", columns: []column{
			{"id", kindInt}, {"barcode", kindText}, {"title", kindText}, {"author", kindText},
			{"call_number", kindText}, {"location", kindText}, {"withdrawn", kindBool},
		}},
		{name: "loans", key: "id", columns: []column{
			{"id", kindInt}, {"patron_id", kindInt}, {"item_id", kindInt},
			{"checked_out_at", kindTime}, {"due_at", kindTime}, {"renewals", kindInt},
			{"returned_at", kindTime},
		}},
		{name: "fines", key: "id", columns: []column{
			{"id", kindInt}, {"patron_id", kindInt}, {"loan_id", kindInt}, {"kind", kindText},
			{"amount_cents", kindInt}, {"note", kindText}, {"created_at", kindTime},
			{"method", kindText}, {"receipt", kindText}, {"taken_by", kindText}, // migration 0008
		}},
		// Sessions are short-lived: a copy leaves them out unless asked.
		{name: "sessions", key: "id", optional: true, columns: []column{
			{"id", kindInt}, {"token_hash", kindBytes}, {"patron_id", kindInt},
			{"csrf_token", kindText}, {"created_at", kindTime}, {"last_seen_at", kindTime},
			{"expires_at", kindTime},
			{"public_id", kindText}, {"device", kindText}, // migration 0005
			{"preset_proved", kindBool}, // migration 0012
		}},
		{name: "signin_failures", key: "id", columns: []column{
			{"id", kindInt}, {"key", kindText}, {"at", kindTime},
			{"pending_until", kindTime}, // migration 0011
		}},
		{name: "signin_locks", key: "key", columns: []column{
			{"key", kindText}, {"locked_until", kindTime},
		}},
		{name: "audit_log", key: "id", columns: []column{
			{"id", kindInt}, {"at", kindTime}, {"actor", kindText}, {"patron_id", kindInt},
			{"action", kindText}, {"detail", kindText}, {"client_addr", kindText},
		}},
		{name: "jobs", key: "name", columns: []column{
			{"name", kindText}, {"next_run_at", kindTime}, {"runs", kindInt},
			{"last_run_at", kindTime},
		}},
		// The SIP2 machines' accounts, password hashes as they are.
		{name: "sip_accounts", key: "id", columns: []column{
			{"id", kindInt}, {"login", kindText}, {"institution", kindText}, {"location", kindText},
			{"password_hash", kindText}, {"login_required", kindBool}, {"created_at", kindTime},
			{"require_pin", kindBool}, {"encoding", kindText}, // migration 0009
		}},
		// The staff desk (migration 0004).
		{name: "staff", key: "id", columns: []column{
			{"id", kindInt}, {"username", kindText}, {"name", kindText}, {"role", kindText},
			{"password_hash", kindText}, {"password_set_at", kindTime},
			// Sealed with the library's secret key (migration 0010): copied
			// as it is, so the same key file reads the copy.
			{"totp_secret", kindText},
			{"totp_last_step", kindInt}, {"disabled_at", kindTime},
			{"created_at", kindTime},
		}},
		// The check of the secret key the two-factor secrets are sealed with
		// (migration 0010): copied, so that the copy refuses another key too.
		{name: "key_checks", key: "name", columns: []column{
			{"name", kindText}, {"sealed", kindText},
		}},
		// Staff sessions are short-lived like the patrons': left out unless asked.
		{name: "staff_sessions", key: "id", optional: true, columns: []column{
			{"id", kindInt}, {"token_hash", kindBytes}, {"staff_id", kindInt}, {"stage", kindText},
			{"csrf_token", kindText}, {"created_at", kindTime}, {"last_seen_at", kindTime},
			{"expires_at", kindTime},
		}},
		{name: "former_barcodes", key: "id", columns: []column{
			{"id", kindInt}, {"patron_id", kindInt}, {"barcode", kindText}, {"replaced_at", kindTime},
		}},
		{name: "holds", key: "id", columns: []column{
			{"id", kindInt}, {"patron_id", kindInt}, {"item_id", kindInt}, {"state", kindText},
			{"placed_at", kindTime}, {"trapped_at", kindTime}, {"pickup_by", kindTime},
			{"closed_at", kindTime},
		}},
		{name: "desk_requests", key: "token", columns: []column{
			{"token", kindText}, {"action", kindText}, {"actor", kindText}, {"created_at", kindTime},
		}},
	}
}

// searchIndexTable reports whether a table is one of SQLite's full-text
// tables of the desk's search (searchIndexes, in search.go) or one of the
// tables SQLite keeps their index in. They are an index of patrons and
// items, not records of the library: a copy and a bulk load leave them
// out and fill them from the rows they wrote (suspendSearchIndex), as
// PostgreSQL fills its indexes.
func searchIndexTable(name string) bool {
	for _, ix := range searchIndexes() {
		if name == ix.name {
			return true
		}
		for _, shadow := range []string{"_config", "_content", "_data", "_docsize", "_idx"} {
			if name == ix.name+shadow {
				return true
			}
		}
	}
	return false
}

// copyTable is one of Carrel's tables as a copy sees it.
type copyTable struct {
	name string
	// key is the table's primary key, a single column; rows are read and
	// checksummed in its order. A key named id is an identity column whose
	// sequence a copy moves past the highest id.
	key      string
	columns  []column
	optional bool // copied only when asked (CopyOptions.Sessions)
}

// identity reports whether the table's key is a generated id.
func (t copyTable) identity() bool {
	return t.key == "id" && slices.Contains(t.columns, column{"id", kindInt})
}

// columnList is the table's columns for a SELECT or INSERT.
func (t copyTable) columnList() string {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// column is a column of a copyTable and what kind of value it holds.
type column struct {
	name string
	kind kind
}

// kind is what a column holds, whatever the database calls its type:
// SQLite stores instants, days and booleans as TEXT and INTEGER, PostgreSQL
// as timestamptz, date and boolean.
type kind int

const (
	kindInt   kind = iota // integer, NULL for an absent reference
	kindText              // text
	kindTime              // instant: SQLite TEXT in timeLayout, PostgreSQL timestamptz
	kindDate              // calendar day: SQLite TEXT YYYY-MM-DD, PostgreSQL date
	kindBool              // SQLite INTEGER 0 or 1, PostgreSQL boolean
	kindBytes             // SQLite BLOB, PostgreSQL bytea
)

// typeNames returns the database type names a column of the kind may
// have: SQLite's declared types (modernc.org/sqlite) and PostgreSQL's (pgx).
func (k kind) typeNames() []string {
	switch k {
	case kindInt:
		return []string{"INTEGER", "INT8", "INT4"}
	case kindText:
		return []string{"TEXT"}
	case kindTime:
		return []string{"TEXT", "TIMESTAMPTZ"}
	case kindDate:
		return []string{"TEXT", "DATE"}
	case kindBool:
		return []string{"INTEGER", "BOOL"}
	case kindBytes:
		return []string{"BLOB", "BYTEA"}
	}
	return nil
}

// String names the kind in messages.
func (k kind) String() string {
	return [...]string{"integer", "text", "instant", "date", "boolean", "bytes"}[k]
}

// CheckCopyTables returns an error unless the database's tables and their
// columns are exactly the ones `carrel db copy` knows (carrelTables, in
// tables.go), with types of the kinds it expects. A copy checks its source
// first, so that it never leaves a table or column behind unnoticed; the
// tests check freshly migrated databases, so that a migration that adds a
// table without adding it to the list fails there first.
func (db *DB) CheckCopyTables(ctx context.Context) error {
	names, err := db.userTables(ctx, db.read)
	if err != nil {
		return err
	}
	known := carrelTables()
	var problems []string
	for _, name := range names {
		if name != "schema_migrations" && !slices.ContainsFunc(known, func(t copyTable) bool { return t.name == name }) {
			problems = append(problems, fmt.Sprintf("table %s is not in the copy list: add it, with its columns, to carrelTables in internal/storage/tables.go (after the tables it refers to)", name))
		}
	}
	for _, t := range known {
		if !slices.Contains(names, t.name) {
			problems = append(problems, fmt.Sprintf("table %s is in the copy list (internal/storage/tables.go) but not in the database", t.name))
			continue
		}
		ps, err := db.checkColumns(ctx, t)
		if err != nil {
			return err
		}
		problems = append(problems, ps...)
	}
	if len(problems) > 0 {
		return fmt.Errorf("storage: the copy list does not match the schema of %s:\n  %s", db.name, strings.Join(problems, "\n  "))
	}
	return nil
}

// checkColumns compares a table's columns in the database with the list.
func (db *DB) checkColumns(ctx context.Context, t copyTable) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT * FROM `+t.name+` WHERE 1 = 0`)
	if err != nil {
		return nil, fmt.Errorf("storage: columns of %s: %w", t.name, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("storage: columns of %s: %w", t.name, err)
	}
	var problems []string
	for _, ct := range types {
		i := slices.IndexFunc(t.columns, func(c column) bool { return c.name == ct.Name() })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("column %s.%s is not in the copy list: add it to table %s in internal/storage/tables.go", t.name, ct.Name(), t.name))
			continue
		}
		k := t.columns[i].kind
		if typ := strings.ToUpper(ct.DatabaseTypeName()); !slices.Contains(k.typeNames(), typ) {
			problems = append(problems, fmt.Sprintf("column %s.%s is %s in the database, not a type for a %s (internal/storage/tables.go)", t.name, ct.Name(), typ, k))
		}
	}
	for _, c := range t.columns {
		if !slices.ContainsFunc(types, func(ct *sql.ColumnType) bool { return ct.Name() == c.name }) {
			problems = append(problems, fmt.Sprintf("column %s.%s is in the copy list (internal/storage/tables.go) but not in the database", t.name, c.name))
		}
	}
	return problems, nil
}

// userTables lists the database's own tables, not the database system's
// nor the search index's.
func (db *DB) userTables(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, db.d.userTablesQuery)
	if err != nil {
		return nil, fmt.Errorf("storage: list tables of %s: %w", db.name, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("storage: list tables of %s: %w", db.name, err)
		}
		if !searchIndexTable(name) {
			names = append(names, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: list tables of %s: %w", db.name, err)
	}
	slices.Sort(names)
	return names, nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// A copy reads every value into the one form it carries between the two
// databases, whatever the source's driver gave: nil, int64, string,
// time.Time (UTC; a day at midnight UTC), bool or []byte. From that form
// it writes to either database, and it checksums it, so that a table
// summed on SQLite and on PostgreSQL gives the same sum when the rows are
// the same.

// canon reads a value of kind k as a driver returned it: SQLite gives
// instants and days as text and booleans as 0 or 1, PostgreSQL gives
// time.Time and bool.
func canon(k kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok && k != kindBytes {
		v = string(b)
	}
	switch k {
	case kindInt:
		if n, ok := v.(int64); ok {
			return n, nil
		}
	case kindText:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case kindTime:
		switch t := v.(type) {
		case time.Time:
			return t.UTC().Truncate(time.Microsecond), nil
		case string:
			return parseTime(t)
		}
	case kindDate:
		switch t := v.(type) {
		case time.Time:
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		case string:
			d, err := time.Parse(time.DateOnly, t)
			if err != nil {
				return nil, fmt.Errorf("stored date %q: %w", t, err)
			}
			return d, nil
		}
	case kindBool:
		switch b := v.(type) {
		case bool:
			return b, nil
		case int64:
			if b == 0 || b == 1 {
				return b == 1, nil
			}
		}
	case kindBytes:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	}
	// The value itself is not shown: it may be a PIN hash or a barcode.
	return nil, fmt.Errorf("cannot read a stored %T as a %s", v, k)
}

// sqliteValue encodes a value in a copy's form for SQLite: instants in
// timeLayout, days as YYYY-MM-DD, booleans as 0 or 1.
func sqliteValue(k kind, v any) any {
	switch v := v.(type) {
	case time.Time:
		if k == kindDate {
			return v.Format(time.DateOnly)
		}
		return v.Format(timeLayout)
	case bool:
		if v {
			return int64(1)
		}
		return int64(0)
	}
	return v
}

// tableSum is the row count and checksum of a table. The checksum is
// SHA-256 over every row in key order, each value in a canonical text
// (integers in decimal, instants in timeLayout, days as YYYY-MM-DD,
// booleans as 0 or 1, bytes as they are) with its length before it, and
// NULL as a mark of its own, distinct from any text, the empty one too.
type tableSum struct {
	rows  int
	maxID int64 // the highest id, for tables keyed by id
	h     hash.Hash
	buf   []byte
}

// add adds a row in a copy's form.
func (s *tableSum) add(t copyTable, row []any) {
	s.rows++
	s.buf = s.buf[:0]
	for i, v := range row {
		if v == nil {
			s.buf = append(s.buf, 'N')
			continue
		}
		start := len(s.buf)
		s.buf = append(s.buf, 'V', 0, 0, 0, 0)
		switch v := v.(type) {
		case int64:
			s.buf = strconv.AppendInt(s.buf, v, 10)
		case string:
			s.buf = append(s.buf, v...)
		case []byte:
			s.buf = append(s.buf, v...)
		case bool:
			b := byte('0')
			if v {
				b = '1'
			}
			s.buf = append(s.buf, b)
		case time.Time:
			layout := timeLayout
			if t.columns[i].kind == kindDate {
				layout = time.DateOnly
			}
			s.buf = v.AppendFormat(s.buf, layout)
		}
		binary.BigEndian.PutUint32(s.buf[start+1:], uint32(len(s.buf)-start-5))
	}
	s.h.Write(s.buf)
}

// hex returns the checksum in hexadecimal.
func (s *tableSum) hex() string {
	return hex.EncodeToString(s.h.Sum(nil))
}

// rowReader reads a table's rows in key order, in a copy's form, and sums
// them as it goes.
type rowReader struct {
	t    copyTable
	key  int // the key's column
	rows *sql.Rows
	raw  []any
	ptrs []any
	sum  *tableSum
	// tick, when set, is called every progressEvery rows with the count so far.
	tick func(done int)
}

// readTable starts reading table t through q, on a database of dialect d.
func readTable(ctx context.Context, q querier, d *dialect, t copyTable) (*rowReader, error) {
	key := slices.IndexFunc(t.columns, func(c column) bool { return c.name == t.key })
	order := t.key
	if t.columns[key].kind == kindText {
		order += copyDialectOf(d).byteOrder
	}
	rows, err := q.QueryContext(ctx, `SELECT `+t.columnList()+` FROM `+t.name+` ORDER BY `+order)
	if err != nil {
		return nil, fmt.Errorf("storage: read %s: %w", t.name, err)
	}
	r := &rowReader{t: t, key: key, rows: rows, raw: make([]any, len(t.columns)),
		ptrs: make([]any, len(t.columns)), sum: &tableSum{h: sha256.New()}}
	for i := range r.raw {
		r.ptrs[i] = &r.raw[i]
	}
	return r, nil
}

// next returns the next row, or nil after the last one.
func (r *rowReader) next() ([]any, error) {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return nil, fmt.Errorf("storage: read %s: %w", r.t.name, err)
		}
		return nil, nil
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		return nil, fmt.Errorf("storage: read %s: %w", r.t.name, err)
	}
	row := make([]any, len(r.raw))
	for i, c := range r.t.columns {
		v, err := canon(c.kind, r.raw[i])
		if err != nil {
			// Only an id names the row: other keys are barcodes and
			// throttle keys, which stay out of messages.
			where := fmt.Sprintf("row %d", r.sum.rows+1)
			if r.t.identity() {
				where = fmt.Sprintf("id %v", r.raw[r.key])
			}
			return nil, fmt.Errorf("storage: read %s, %s, column %s: %w", r.t.name, where, c.name, err)
		}
		row[i] = v
	}
	if id, ok := row[r.key].(int64); ok && r.t.identity() {
		r.sum.maxID = max(r.sum.maxID, id)
	}
	r.sum.add(r.t, row)
	if r.tick != nil && r.sum.rows%progressEvery == 0 {
		r.tick(r.sum.rows)
	}
	return row, nil
}

// close ends the reading early or checks that it ended well.
func (r *rowReader) close() error {
	if err := r.rows.Close(); err != nil {
		return fmt.Errorf("storage: read %s: %w", r.t.name, err)
	}
	if err := r.rows.Err(); err != nil {
		return fmt.Errorf("storage: read %s: %w", r.t.name, err)
	}
	return nil
}

// sumTable reads a whole table and returns its sum.
func sumTable(ctx context.Context, q querier, d *dialect, t copyTable) (*tableSum, error) {
	r, err := readTable(ctx, q, d, t)
	if err != nil {
		return nil, err
	}
	defer r.close()
	for {
		row, err := r.next()
		if err != nil {
			return nil, err
		}
		if row == nil {
			return r.sum, r.close()
		}
	}
}
