package storage

import (
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// The desk's searches match a barcode exactly and names, titles and the
// like by a part of them in any case: lower(column) LIKE lower(pattern),
// which SQLite and PostgreSQL both understand (ILIKE is PostgreSQL's
// alone). SQLite's lower() folds ASCII letters only; Chinese names have no
// case to fold. A search reads every row: fine for a desk, where a person
// waits for one answer, not for a machine asking thousands of times.

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

// SearchPatrons implements library.Tx: an exact barcode first, then by name.
func (t *tx) SearchPatrons(q library.PatronQuery) ([]library.Patron, error) {
	return queryAll(t, `SELECT `+patronColumns+` FROM patrons
WHERE barcode = $1 OR lower(name) LIKE $2 ESCAPE '\' OR lower(email) LIKE $2 ESCAPE '\'
ORDER BY CASE WHEN barcode = $1 THEN 0 ELSE 1 END, name, id
LIMIT $3 OFFSET $4`, scanPatron, "search patrons",
		library.NormalizeBarcode(q.Text), likePattern(q.Text), q.Limit, q.Offset)
}

// SearchItems implements library.Tx: an exact barcode first, then by title.
// Each item comes with its open loan and the borrower's barcode, in the
// same query.
func (t *tx) SearchItems(q library.ItemQuery) ([]library.ItemStatus, error) {
	return queryAll(t, `SELECT i.id, i.barcode, i.title, i.author, i.call_number, i.location, i.withdrawn,
	l.id, l.patron_id, l.checked_out_at, l.due_at, l.renewals, p.barcode
FROM items i
LEFT JOIN loans l ON l.item_id = i.id AND l.returned_at IS NULL
LEFT JOIN patrons p ON p.id = l.patron_id
WHERE i.barcode = $1 OR lower(i.title) LIKE $2 ESCAPE '\' OR lower(i.author) LIKE $2 ESCAPE '\'
	OR lower(i.call_number) LIKE $2 ESCAPE '\'
ORDER BY CASE WHEN i.barcode = $1 THEN 0 ELSE 1 END, i.title, i.id
LIMIT $3 OFFSET $4`, scanItemStatus, "search items",
		library.NormalizeBarcode(q.Text), likePattern(q.Text), q.Limit, q.Offset)
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
