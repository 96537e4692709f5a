package storage

import (
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// A page of a borrowing record reads four things, each from the partial
// index loans_open_by_patron (patron_id, due_at, id) where it can: the
// page's loans with their items (LIMIT and OFFSET over the index's order),
// how many loans there are, the due times of those due before now (the
// only ones that can be overdue; the index alone answers), and the fine
// balance.
//
// The page is chosen on the index alone, and only its loans are joined to
// their rows and items: a join before the OFFSET would look up the item of
// every loan skipped, and the last page of a patron with 1,000 loans would
// cost 950 lookups in the items table, more as the library grows.
const (
	loanWindowPageSQL = loanSelect + `
JOIN (SELECT id FROM loans WHERE patron_id = $1 AND returned_at IS NULL
	ORDER BY due_at, id LIMIT $2 OFFSET $3) w ON w.id = l.id
ORDER BY l.due_at, l.id`
	loanWindowDueSQL = `SELECT due_at FROM loans
WHERE patron_id = $1 AND returned_at IS NULL AND due_at < $2`
)

// loanWindowSQL is the four in one statement, for a database where each
// statement is a round trip: the page's loans (kind 1), the due times
// (kind 2), the count (kind 0) and the balance (kind 3), in no stated
// order; the page is put back in order in Go.
const loanWindowSQL = `SELECT 1, l.id, l.patron_id, l.checked_out_at, l.due_at, l.renewals,
	i.id, i.barcode, i.title, i.author, i.call_number, i.location, i.withdrawn, CAST(NULL AS BIGINT)
FROM loans l JOIN items i ON i.id = l.item_id
JOIN (SELECT id FROM loans WHERE patron_id = $1 AND returned_at IS NULL
	ORDER BY due_at, id LIMIT $2 OFFSET $3) w ON w.id = l.id
UNION ALL
SELECT 2, NULL, NULL, NULL, due_at, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM loans WHERE patron_id = $1 AND returned_at IS NULL AND due_at < $4
UNION ALL
SELECT 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	(SELECT COUNT(*) FROM loans WHERE patron_id = $1 AND returned_at IS NULL)
UNION ALL
SELECT 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	CAST(COALESCE(SUM(CASE WHEN kind = 'charge' THEN amount_cents ELSE -amount_cents END), 0) AS BIGINT)
FROM fines WHERE patron_id = $1`

// OpenLoansWindow implements library.Tx. SQLite, in the same process,
// answers four statements as fast as one and reads the page in order from
// the index, so there they run apart.
func (t *tx) OpenLoansWindow(patronID int64, offset, limit int, dueBefore time.Time) (library.LoanWindow, error) {
	if t.d.remote {
		return t.loanWindowOneTrip(patronID, offset, limit, dueBefore)
	}
	var w library.LoanWindow
	var err error
	if w.Count, err = t.CountOpenLoans(patronID); err != nil {
		return w, err
	}
	if w.Count > offset {
		if w.Loans, err = queryAll(t, loanWindowPageSQL, scanLoan, "a page of the open loans", patronID, limit, offset); err != nil {
			return w, err
		}
	}
	if w.OverdueDue, err = queryAll(t, loanWindowDueSQL, scanDue, "due times of open loans", patronID, timeBound(dueBefore)); err != nil {
		return w, err
	}
	w.Balance, err = t.FineBalance(patronID)
	return w, err
}

// scanDue reads a due time.
func scanDue(s scanner) (time.Time, error) {
	var due time.Time
	err := s.Scan(timeCol{&due})
	return due, err
}

// loanWindowOneTrip is OpenLoansWindow in one statement.
func (t *tx) loanWindowOneTrip(patronID int64, offset, limit int, dueBefore time.Time) (library.LoanWindow, error) {
	var w library.LoanWindow
	rows, err := t.query(loanWindowSQL, patronID, limit, offset, timeBound(dueBefore))
	if err != nil {
		return w, wrap(err, "a page of the open loans of patron %d", patronID)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			kind, renewals, n int64
			l                 library.Loan
		)
		it := &l.Item
		err := rows.Scan(&kind, idCol{&l.ID}, idCol{&l.PatronID}, timeCol{&l.CheckedOutAt}, timeCol{&l.DueAt},
			idCol{&renewals}, idCol{&it.ID}, textCol{&it.Barcode}, textCol{&it.Title}, textCol{&it.Author},
			textCol{&it.CallNumber}, textCol{&it.Location}, boolCol{&it.Withdrawn}, idCol{&n})
		if err != nil {
			return w, wrap(err, "a page of the open loans of patron %d", patronID)
		}
		switch kind {
		case 0:
			w.Count = int(n)
		case 1:
			l.Renewals = int(renewals)
			w.Loans = append(w.Loans, l)
		case 2:
			w.OverdueDue = append(w.OverdueDue, l.DueAt)
		case 3:
			w.Balance = library.Money(n)
		}
	}
	if err := rows.Err(); err != nil {
		return w, wrap(err, "a page of the open loans of patron %d", patronID)
	}
	sortByDue(w.Loans)
	return w, nil
}
