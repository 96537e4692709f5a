package storage

import (
	"cmp"
	"slices"

	"github.com/carrel-library/carrel/internal/library"
)

// loanSelect reads loans with their items in one query, so a borrowing
// record costs one query however many loans it shows.
const loanSelect = `SELECT l.id, l.patron_id, l.checked_out_at, l.due_at, l.renewals, l.returned_at,
	i.id, i.barcode, i.title, i.author, i.call_number, i.location, i.withdrawn
FROM loans l JOIN items i ON i.id = l.item_id`

// scanLoan reads a row of loanSelect.
func scanLoan(s scanner) (library.Loan, error) {
	var l library.Loan
	it := &l.Item
	err := s.Scan(&l.ID, idCol{&l.PatronID}, timeCol{&l.CheckedOutAt}, timeCol{&l.DueAt}, &l.Renewals, timeCol{&l.ReturnedAt},
		&it.ID, &it.Barcode, &it.Title, &it.Author, &it.CallNumber, &it.Location, &it.Withdrawn)
	return l, err
}

// OpenLoans implements library.Tx. The partial index loans_open_by_patron
// gives the rows already in order.
func (t *tx) OpenLoans(patronID int64) ([]library.Loan, error) {
	rows, err := t.query(loanSelect+`
WHERE l.patron_id = $1 AND l.returned_at IS NULL
ORDER BY l.due_at, l.id`, patronID)
	if err != nil {
		return nil, wrap(err, "open loans of patron %d", patronID)
	}
	defer rows.Close()
	var loans []library.Loan
	for rows.Next() {
		l, err := scanLoan(rows)
		if err != nil {
			return nil, wrap(err, "open loans of patron %d", patronID)
		}
		loans = append(loans, l)
	}
	return loans, wrap(rows.Err(), "open loans of patron %d", patronID)
}

const openLoanForItemSQL = loanSelect + ` WHERE l.item_id = $1 AND l.returned_at IS NULL`

// OpenLoanForItem implements library.Tx.
func (t *tx) OpenLoanForItem(itemID int64) (library.Loan, error) {
	l, err := scanLoan(t.queryRow(openLoanForItemSQL, itemID))
	return l, wrap(err, "open loan of item %d", itemID)
}

const createLoanSQL = `INSERT INTO loans (patron_id, item_id, checked_out_at, due_at, renewals, returned_at)
VALUES ($1, $2, $3, $4, $5, $6)`

// CreateLoan implements library.Tx. The unique index loans_one_open_per_item
// is what refuses a second open loan of an item, with ECONFLICT.
func (t *tx) CreateLoan(l *library.Loan) error {
	id, err := t.insert(createLoanSQL, idArg(l.PatronID), l.Item.ID,
		timeArg(l.CheckedOutAt), timeArg(l.DueAt), l.Renewals, timeArg(l.ReturnedAt))
	if err == nil {
		l.ID = id
	}
	return wrap(err, "create loan of item %d to patron %d", l.Item.ID, l.PatronID)
}

// UpdateLoan implements library.Tx.
func (t *tx) UpdateLoan(l library.Loan) error {
	res, err := t.exec(`UPDATE loans SET patron_id = $5, due_at = $2, renewals = $3, returned_at = $4 WHERE id = $1`,
		l.ID, timeArg(l.DueAt), l.Renewals, timeArg(l.ReturnedAt), idArg(l.PatronID))
	return affectedOne(res, err, "update loan %d", l.ID)
}

// CountOpenLoans implements library.Tx.
func (t *tx) CountOpenLoans(patronID int64) (int, error) {
	n, err := t.count(`SELECT COUNT(*) FROM loans WHERE patron_id = $1 AND returned_at IS NULL`, patronID)
	return n, wrap(err, "count open loans of patron %d", patronID)
}

// openLoansAndBalanceSQL is the open loans query and the fine balance query
// in one: the loans (kind 1) and one balance row (kind 0), in no stated
// order. On PostgreSQL that is a round trip fewer for every borrowing record
// and SIP2 Patron Information. The loans are put in order in Go: an ORDER BY
// on the whole would make SQLite sort them in a temporary B-tree, where
// OpenLoans reads them already in order from its index.
const openLoansAndBalanceSQL = `SELECT 1, l.id, l.patron_id, l.checked_out_at, l.due_at, l.renewals, l.returned_at,
	i.id, i.barcode, i.title, i.author, i.call_number, i.location, i.withdrawn, NULL
FROM loans l JOIN items i ON i.id = l.item_id
WHERE l.patron_id = $1 AND l.returned_at IS NULL
UNION ALL
SELECT 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	CAST(COALESCE(SUM(CASE WHEN kind = 'charge' THEN amount_cents ELSE -amount_cents END), 0) AS BIGINT)
FROM fines WHERE patron_id = $1`

// OpenLoansAndBalance implements library.Tx. SQLite, in the same process,
// answers the two queries as fast as one and reads the loans in order from
// the index, so there it runs them apart.
func (t *tx) OpenLoansAndBalance(patronID int64) ([]library.Loan, library.Money, error) {
	if !t.d.remote {
		loans, err := t.OpenLoans(patronID)
		if err != nil {
			return nil, 0, err
		}
		balance, err := t.FineBalance(patronID)
		return loans, balance, err
	}
	rows, err := t.query(openLoansAndBalanceSQL, patronID)
	if err != nil {
		return nil, 0, wrap(err, "open loans and balance of patron %d", patronID)
	}
	defer rows.Close()
	var (
		loans    []library.Loan
		balance  int64
		kind     int64
		renewals int64
		cents    int64
	)
	for rows.Next() {
		var l library.Loan
		it := &l.Item
		err := rows.Scan(&kind, idCol{&l.ID}, idCol{&l.PatronID}, timeCol{&l.CheckedOutAt}, timeCol{&l.DueAt},
			idCol{&renewals}, timeCol{&l.ReturnedAt}, idCol{&it.ID}, textCol{&it.Barcode}, textCol{&it.Title},
			textCol{&it.Author}, textCol{&it.CallNumber}, textCol{&it.Location}, boolCol{&it.Withdrawn}, idCol{&cents})
		if err != nil {
			return nil, 0, wrap(err, "open loans and balance of patron %d", patronID)
		}
		if kind == 0 {
			balance = cents
			continue
		}
		l.Renewals = int(renewals)
		loans = append(loans, l)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, wrap(err, "open loans and balance of patron %d", patronID)
	}
	sortByDue(loans)
	return loans, library.Money(balance), nil
}

// sortByDue puts loans in OpenLoans' order, by due time, then loan ID: the
// order of a query that put them in no stated order.
func sortByDue(loans []library.Loan) {
	slices.SortFunc(loans, func(a, b library.Loan) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
