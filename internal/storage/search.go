package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// The desk's searches match a barcode exactly and names, titles and the
// like by a part of them in any case: lower(column) LIKE lower(pattern),
// which SQLite and PostgreSQL both understand (ILIKE is PostgreSQL's
// alone). SQLite's lower() folds ASCII letters only; Chinese names have no
// case to fold.
//
// LIKE '%text%' cannot use an ordinary index, so each database has an
// index of every three characters of the columns searched (migration
// 0006): PostgreSQL's pg_trgm indexes the very expressions the queries
// use, and its planner picks them unaided. SQLite's full-text tables
// (patrons_search, items_search) are tables of their own, so on SQLite a
// search of three characters or more first narrows the rows to the ones
// the index finds, and the rows added since it last caught up (those
// above its highest id, see the migration), then applies the same LIKE as
// ever: the index only leaves out rows that cannot match, and the answers,
// their order and their pages stay what the LIKE alone gave. Shorter text
// reads every row, as before.

// likePattern returns a LIKE pattern that finds text anywhere, lower-cased,
// with the wildcards % and _ and the escape character itself escaped, so
// that "50%" finds "50%" and not "50 years".
func likePattern(text string) string {
	return "%" + escapeLike(strings.ToLower(text)) + "%"
}

// escapeLike escapes LIKE's wildcards and its escape character (ESCAPE '\').
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// searchMatch returns, on SQLite, the full-text query that finds the rows
// whose searched columns hold text, and "" where the LIKE has to read
// every row instead: on PostgreSQL, and for text of fewer than three
// characters, which the trigram index cannot look up. The query asks for
// every three-character piece of the text, each a phrase in double quotes
// (a quote in it doubled), in which every character stands for itself, %
// and _ too. The index folds case, in more letters than SQLite's lower()
// does, and does not keep where a piece is (detail = none): it finds every
// row the LIKE finds, and perhaps a few more, which the LIKE then leaves out.
func (t *tx) searchMatch(text string) string {
	r := []rune(strings.ToLower(text))
	if t.d != sqliteDialect || len(r) < 3 || slices.Contains(r, 0) {
		return ""
	}
	return strings.Join(trigramPieces(r), " AND ")
}

// trigramPieces returns every distinct three-character piece of r, in the
// order they first appear, each a full-text phrase in double quotes (a
// quote in it doubled). A set of the pieces seen keeps the work linear in
// the length of the text: looking each piece up in the list made so far
// was quadratic, and a 45,000-character search took 5.3 s.
func trigramPieces(r []rune) []string {
	if len(r) < 3 {
		return nil
	}
	seen := make(map[[3]rune]bool, len(r)-2)
	var pieces []string
	for i := range len(r) - 2 {
		k := [3]rune{r[i], r[i+1], r[i+2]}
		if seen[k] {
			continue
		}
		seen[k] = true
		pieces = append(pieces, `"`+strings.ReplaceAll(string(r[i:i+3]), `"`, `""`)+`"`)
	}
	return pieces
}

// SearchPatrons implements library.Tx: an exact barcode first, then by name.
func (t *tx) SearchPatrons(q library.PatronQuery) ([]library.Patron, error) {
	query, args := searchPatronsSQL(q, t.searchMatch(q.Text))
	return queryAll(t, query, scanPatron, "search patrons", args...)
}

// searchPatronsSQL returns the query of a patron search and its arguments,
// narrowed to the rows the full-text query match finds unless it is "".
func searchPatronsSQL(q library.PatronQuery, match string) (string, []any) {
	where := `barcode = $1 OR lower(name) LIKE $2 ESCAPE '\' OR lower(email) LIKE $2 ESCAPE '\'`
	args := []any{library.NormalizeBarcode(q.Text), likePattern(q.Text), q.Limit, q.Offset}
	if match != "" {
		where = `(` + where + `) AND id IN (SELECT id FROM patrons WHERE barcode = $1
	UNION ALL SELECT rowid FROM patrons_search WHERE patrons_search MATCH $5
	UNION ALL SELECT id FROM patrons WHERE id > (SELECT coalesce(max(id), 0) FROM patrons_search_docsize))`
		args = append(args, match)
	}
	return `SELECT ` + patronColumns + ` FROM patrons
WHERE ` + where + `
ORDER BY CASE WHEN barcode = $1 THEN 0 ELSE 1 END, name, id
LIMIT $3 OFFSET $4`, args
}

// SearchItems implements library.Tx: an exact barcode first, then by title.
// Each item comes with its open loan and the borrower's barcode, in the
// same query.
func (t *tx) SearchItems(q library.ItemQuery) ([]library.ItemStatus, error) {
	query, args := searchItemsSQL(q, t.searchMatch(q.Text))
	return queryAll(t, query, scanItemStatus, "search items", args...)
}

// searchItemsSQL returns the query of an item search and its arguments,
// narrowed to the rows the full-text query match finds unless it is "".
func searchItemsSQL(q library.ItemQuery, match string) (string, []any) {
	where := `i.barcode = $1 OR lower(i.title) LIKE $2 ESCAPE '\' OR lower(i.author) LIKE $2 ESCAPE '\'
	OR lower(i.call_number) LIKE $2 ESCAPE '\'`
	args := []any{library.NormalizeBarcode(q.Text), likePattern(q.Text), q.Limit, q.Offset}
	if match != "" {
		where = `(` + where + `) AND i.id IN (SELECT id FROM items WHERE barcode = $1
	UNION ALL SELECT rowid FROM items_search WHERE items_search MATCH $5
	UNION ALL SELECT id FROM items WHERE id > (SELECT coalesce(max(id), 0) FROM items_search_docsize))`
		args = append(args, match)
	}
	return `SELECT i.id, i.barcode, i.title, i.author, i.call_number, i.location, i.withdrawn,
	l.id, l.patron_id, l.checked_out_at, l.due_at, l.renewals, p.barcode
FROM items i
LEFT JOIN loans l ON l.item_id = i.id AND l.returned_at IS NULL
LEFT JOIN patrons p ON p.id = l.patron_id
WHERE ` + where + `
ORDER BY CASE WHEN i.barcode = $1 THEN 0 ELSE 1 END, i.title, i.id
LIMIT $3 OFFSET $4`, args
}

// scanItemStatus reads an item and its open loan, whose columns are NULL
// when the item is on the shelf.
func scanItemStatus(s scanner) (library.ItemStatus, error) {
	var st library.ItemStatus
	it := &st.Item
	var renewals int64
	err := s.Scan(&it.ID, &it.Barcode, &it.Title, &it.Author, &it.CallNumber, &it.Location, &it.Withdrawn,
		idCol{&st.Loan.ID}, idCol{&st.Loan.PatronID}, timeCol{&st.Loan.CheckedOutAt}, timeCol{&st.Loan.DueAt},
		idCol{&renewals}, textCol{&st.PatronBarcode})
	st.Loan.Renewals = int(renewals)
	if st.Loan.ID != 0 {
		st.Loan.Item = st.Item
	}
	return st, err
}

// searchIndex is one of SQLite's full-text tables of the desk's search
// (migration 0006): the table whose rows it indexes, and the columns.
type searchIndex struct {
	name, table string
	columns     []string
}

// searchIndexes lists SQLite's full-text tables of the desk's search.
func searchIndexes() []searchIndex {
	return []searchIndex{
		{"patrons_search", "patrons", []string{"name", "email"}},
		{"items_search", "items", []string{"title", "author", "call_number"}},
	}
}

// suspendSearchIndex readies tx, on a database about to be given many
// rows at once (`carrel db copy`, a bulk load), and returns what to run
// after the rows are written, before commit: the search index is dropped
// and then built again from every row at once, as pg_restore does with
// indexes, and is whole when the load commits. On SQLite that means the
// triggers that keep the full-text tables in step (named after them); on
// PostgreSQL the trigram indexes (named *_search). Loading the large demo
// library (500,000 items, 50,000 patrons) took 36 s on SQLite with the
// triggers and 32 s this way; on PostgreSQL 25 s with the indexes, and 21 s
// this way, of which 11 s build them.
func suspendSearchIndex(ctx context.Context, d *dialect, tx *sql.Tx) (resume func() error, err error) {
	list := `SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
WHERE indrelid IN ('patrons'::regclass, 'items'::regclass) AND indexrelid::regclass::text LIKE '%\_search' ESCAPE '\'
ORDER BY 1`
	drop := `DROP INDEX `
	if d == sqliteDialect {
		list = `SELECT name, sql FROM sqlite_master
WHERE type = 'trigger' AND tbl_name IN ('patrons', 'items') AND name LIKE '%\_search\_%' ESCAPE '\' ORDER BY name`
		drop = `DROP TRIGGER `
	}
	rows, err := tx.QueryContext(ctx, list)
	if err != nil {
		return nil, fmt.Errorf("list the search index: %w", err)
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list the search index: %w", err)
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list the search index: %w", err)
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, drop+name); err != nil {
			return nil, fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return func() error {
		if d == sqliteDialect {
			for _, ix := range searchIndexes() {
				cols := strings.Join(ix.columns, ", ")
				_, err := tx.ExecContext(ctx, `INSERT INTO `+ix.name+` (`+ix.name+`) VALUES ('delete-all')`)
				if err == nil {
					_, err = tx.ExecContext(ctx, `INSERT INTO `+ix.name+` (rowid, `+cols+`) SELECT id, `+cols+` FROM `+ix.table)
				}
				if err != nil {
					return fmt.Errorf("fill %s: %w", ix.name, err)
				}
			}
		}
		for i, def := range defs {
			if _, err := tx.ExecContext(ctx, def); err != nil {
				return fmt.Errorf("create %s again: %w", names[i], err)
			}
		}
		return nil
	}, nil
}
