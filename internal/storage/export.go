package storage

import (
	"context"

	"github.com/carrel-library/carrel/internal/library"
)

// The reads of `carrel export`. Each runs in one read-only transaction, so
// a file is one consistent picture of the library while the service keeps
// running, and reads a page of rows at a time (eachPage), so memory stays
// the same for 500 items or 500,000.

// ExportPatrons calls fn for every patron, in barcode order.
func (db *DB) ExportPatrons(ctx context.Context, fn func(library.Patron) error) error {
	return db.View(ctx, func(t library.Tx) error { return t.EachPatron(fn) })
}

// ExportItems calls fn for every item, withdrawn ones too, in barcode order.
func (db *DB) ExportItems(ctx context.Context, fn func(library.Item) error) error {
	return db.View(ctx, func(t library.Tx) error { return t.EachItem(fn) })
}

// ExportOpenLoans calls fn for every open loan, in item barcode order, as
// the item's status: the item, the loan (its times, not its item) and the
// borrower's barcode.
func (db *DB) ExportOpenLoans(ctx context.Context, fn func(library.ItemStatus) error) error {
	return db.View(ctx, func(lt library.Tx) error {
		// An item has at most one open loan (a unique partial index), so
		// the item barcode is a unique key to page by.
		return eachPage(lt.(*tx), `
SELECT i.barcode, p.barcode, l.id, l.checked_out_at, l.due_at, l.renewals
FROM loans l
JOIN items i ON i.id = l.item_id
JOIN patrons p ON p.id = l.patron_id
WHERE l.returned_at IS NULL AND i.barcode > $1
ORDER BY i.barcode
LIMIT $2`, scanOpenLoan, func(s library.ItemStatus) string { return s.Item.Barcode }, fn)
	})
}

func scanOpenLoan(s scanner) (library.ItemStatus, error) {
	var st library.ItemStatus
	err := s.Scan(&st.Item.Barcode, &st.PatronBarcode, &st.Loan.ID,
		timeCol{&st.Loan.CheckedOutAt}, timeCol{&st.Loan.DueAt}, &st.Loan.Renewals)
	return st, err
}
