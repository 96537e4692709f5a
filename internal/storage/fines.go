package storage

import (
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// AddFine implements library.Tx. An entry without a time is dated now. The
// schema refuses an unknown kind or an amount that is not positive (EINVALID).
func (t *tx) AddFine(e *library.FineEntry) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	id, err := t.insert(`INSERT INTO fines (patron_id, loan_id, kind, amount_cents, note, created_at)
VALUES ($1, $2, $3, $4, $5, $6)`, e.PatronID, idArg(e.LoanID), string(e.Kind), int64(e.Amount), e.Note, timeArg(e.CreatedAt))
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
