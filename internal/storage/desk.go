package storage

import (
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// RetireBarcode implements library.Tx. The unique barcode column refuses a
// barcode retired twice.
func (t *tx) RetireBarcode(patronID int64, barcode string, at time.Time) error {
	_, err := t.insert(`INSERT INTO former_barcodes (patron_id, barcode, replaced_at) VALUES ($1, $2, $3)`,
		patronID, barcode, timeArg(at))
	return wrap(err, "retire a barcode of patron %d", patronID)
}

// BarcodeRetired implements library.Tx.
func (t *tx) BarcodeRetired(barcode string) (bool, error) {
	n, err := t.count(`SELECT COUNT(*) FROM former_barcodes WHERE barcode = $1`, barcode)
	return n > 0, wrap(err, "look up a former barcode")
}

// FormerBarcodes implements library.Tx.
func (t *tx) FormerBarcodes(patronID int64) ([]library.FormerBarcode, error) {
	return queryAll(t, `SELECT barcode, replaced_at FROM former_barcodes WHERE patron_id = $1 ORDER BY id`,
		func(s scanner) (library.FormerBarcode, error) {
			var f library.FormerBarcode
			err := s.Scan(&f.Barcode, timeCol{&f.ReplacedAt})
			return f, err
		}, "former barcodes", patronID)
}

// ClaimRequest implements library.Tx: the token is the primary key, so a
// second claim of it breaks the key (ECONFLICT), on any node.
func (t *tx) ClaimRequest(token, action, actor string, at time.Time) error {
	_, err := t.exec(`INSERT INTO desk_requests (token, action, actor, created_at) VALUES ($1, $2, $3, $4)`,
		token, action, actor, timeArg(at))
	return wrap(err, "claim a desk request")
}

// DeleteOldRequests implements library.Tx.
func (t *tx) DeleteOldRequests(before time.Time) error {
	_, err := t.exec(`DELETE FROM desk_requests WHERE created_at < $1`, timeBound(before))
	return wrap(err, "delete old desk requests")
}
