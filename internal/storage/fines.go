package storage

import (
	"database/sql"
	"errors"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// AddFine implements library.Tx. An entry without a time is dated now. The
// schema refuses an unknown kind or method, an amount that is not
// positive, a payment without a method or a charge or waiver with one, and
// a payment by a known method without a receipt (EINVALID); and a receipt
// number the patron's ledger already holds (ECONFLICT).
func (t *tx) AddFine(e *library.FineEntry) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	id, err := t.insert(`INSERT INTO fines (patron_id, loan_id, kind, amount_cents, method, receipt, taken_by, note, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.PatronID, idArg(e.LoanID), string(e.Kind), int64(e.Amount),
		string(e.Method), e.Receipt, e.TakenBy, e.Note, timeArg(e.CreatedAt))
	if err == nil {
		e.ID = id
	}
	return wrap(err, "add %s for patron %d", e.Kind, e.PatronID)
}

// FineBalance implements library.Tx. The CAST keeps the sum an integer on
// databases where SUM of integers is a wider type.
func (t *tx) FineBalance(patronID int64) (library.Money, error) {
	var cents int64
	err := t.queryRow(`SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'charge' THEN amount_cents ELSE -amount_cents END), 0) AS BIGINT)
FROM fines WHERE patron_id = $1`, patronID).Scan(&cents)
	return library.Money(cents), wrap(err, "fine balance of patron %d", patronID)
}

// fineColumns are the columns scanFine reads, in its order.
const fineColumns = `f.id, f.patron_id, f.loan_id, f.kind, f.amount_cents, f.method, f.receipt, f.taken_by, f.note, f.created_at`

// scanFine reads a ledger entry's fineColumns.
func scanFine(s scanner, e *library.FineEntry, more ...any) error {
	var kind, method string
	var cents int64
	dest := append([]any{&e.ID, &e.PatronID, idCol{&e.LoanID}, &kind, &cents, &method, &e.Receipt, &e.TakenBy, &e.Note,
		timeCol{&e.CreatedAt}}, more...)
	err := s.Scan(dest...)
	e.Kind, e.Amount, e.Method = library.FineKind(kind), library.Money(cents), library.PaymentMethod(method)
	return err
}

// FineEntries implements library.Tx.
func (t *tx) FineEntries(patronID int64) ([]library.FineEntry, error) {
	return queryAll(t, `SELECT `+fineColumns+` FROM fines f WHERE f.patron_id = $1 ORDER BY f.created_at, f.id`,
		func(s scanner) (library.FineEntry, error) {
			var e library.FineEntry
			return e, scanFine(s, &e)
		}, "fine ledger", patronID)
}

// FineEntryByID implements library.Tx.
func (t *tx) FineEntryByID(id int64) (library.FineEntry, error) {
	var e library.FineEntry
	err := scanFine(t.queryRow(`SELECT `+fineColumns+` FROM fines f WHERE f.id = $1`, id), &e)
	return e, wrap(err, "fine ledger entry %d", id)
}

// PaymentByReceipt implements library.Tx, from the unique index of
// receipts by patron.
func (t *tx) PaymentByReceipt(patronID int64, receipt string) (library.FineEntry, error) {
	var e library.FineEntry
	err := scanFine(t.queryRow(`SELECT `+fineColumns+` FROM fines f WHERE f.patron_id = $1 AND f.receipt = $2 AND f.receipt <> ''`,
		patronID, receipt), &e)
	return e, wrap(err, "payment of patron %d by receipt", patronID)
}

// LastIssuedReceipt implements library.Tx. The day's payments come from
// the index of payments and waivers by time; the prefix holds no LIKE
// wildcards (the domain makes it of a letter, digits and a dash).
func (t *tx) LastIssuedReceipt(prefix string, from, until time.Time) (string, error) {
	var receipt string
	err := t.queryRow(`SELECT f.receipt FROM fines f
WHERE f.kind <> 'charge' AND f.created_at >= $1 AND f.created_at < $2 AND f.receipt LIKE $3
ORDER BY length(f.receipt) DESC, f.receipt DESC LIMIT 1`, timeBound(from), timeBound(until), prefix+"%").Scan(&receipt)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return receipt, wrap(err, "last receipt number issued")
}

// TakenBetween implements library.Tx, in one query from the index of
// payments and waivers by time.
func (t *tx) TakenBetween(from, until time.Time, takenBy string) ([]library.LedgerLine, error) {
	return queryAll(t, `SELECT `+fineColumns+`, p.barcode FROM fines f JOIN patrons p ON p.id = f.patron_id
WHERE f.kind <> 'charge' AND f.created_at >= $1 AND f.created_at < $2 AND ($3 = '' OR f.taken_by = $3)
ORDER BY f.created_at, f.id`,
		func(s scanner) (library.LedgerLine, error) {
			var l library.LedgerLine
			return l, scanFine(s, &l.FineEntry, &l.PatronBarcode)
		}, "payments and waivers taken", timeBound(from), timeBound(until), takenBy)
}
