package storage

import (
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

const patronColumns = `id, barcode, category, name, email, registered_on, expires_on,
	blocked_reason, pin_kind, pin_hash, pin_set_at, pin_expires_at,
	block_notice_reason, block_notice_text, block_notice_shown`

// scanPatron reads a row of patronColumns.
func scanPatron(s scanner) (library.Patron, error) {
	var p library.Patron
	var kind string
	err := s.Scan(&p.ID, &p.Barcode, &p.Category, &p.Name, &p.Email,
		dateCol{&p.RegisteredOn}, dateCol{&p.ExpiresOn}, &p.BlockedReason,
		&kind, textCol{&p.PIN.Hash}, timeCol{&p.PIN.SetAt}, timeCol{&p.PIN.ExpiresAt},
		&p.BlockNotice.Reason, &p.BlockNotice.Text, boolCol{&p.BlockNotice.Shown})
	p.PIN.Kind = library.PINKind(kind)
	return p, err
}

// PatronByID implements library.Tx.
func (t *tx) PatronByID(id int64) (library.Patron, error) {
	row := t.queryRow(`SELECT `+patronColumns+` FROM patrons WHERE id = $1`, id)
	p, err := scanPatron(row)
	return p, wrap(err, "patron %d", id)
}

const patronByBarcodeSQL = `SELECT ` + patronColumns + ` FROM patrons WHERE barcode = $1`

// PatronByBarcode implements library.Tx.
func (t *tx) PatronByBarcode(barcode string) (library.Patron, error) {
	p, err := scanPatron(t.queryRow(patronByBarcodeSQL, barcode))
	return p, wrap(err, "patron by barcode")
}

const createPatronSQL = `INSERT INTO patrons (barcode, category, name, email, registered_on, expires_on,
	blocked_reason, pin_kind, pin_hash, pin_set_at, pin_expires_at, created_at, updated_at,
	block_notice_reason, block_notice_text, block_notice_shown)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15)`

// CreatePatron implements library.Tx. The barcode of a replaced card is
// refused (ECONFLICT): it may never find a patron again.
func (t *tx) CreatePatron(p *library.Patron) error {
	if retired, err := t.BarcodeRetired(p.Barcode); err != nil || retired {
		if err == nil {
			err = library.Errorf(library.ECONFLICT, "storage: create patron: the barcode belonged to a replaced card")
		}
		return err
	}
	id, err := t.insert(createPatronSQL,
		p.Barcode, p.Category, p.Name, p.Email, dateArg(p.RegisteredOn), dateArg(p.ExpiresOn),
		p.BlockedReason, string(p.PIN.Kind), textArg(p.PIN.Hash), timeArg(p.PIN.SetAt), timeArg(p.PIN.ExpiresAt),
		timeArg(time.Now()), p.BlockNotice.Reason, p.BlockNotice.Text, p.BlockNotice.Shown)
	if err == nil {
		p.ID = id
	}
	return wrap(err, "create patron")
}

const updatePatronSQL = `UPDATE patrons SET barcode = $2, category = $3, name = $4, email = $5,
	registered_on = $6, expires_on = $7, blocked_reason = $8, updated_at = $9,
	block_notice_reason = $10, block_notice_text = $11, block_notice_shown = $12
WHERE id = $1`

// UpdatePatron implements library.Tx.
func (t *tx) UpdatePatron(p library.Patron) error {
	res, err := t.exec(updatePatronSQL, p.ID, p.Barcode, p.Category, p.Name, p.Email,
		dateArg(p.RegisteredOn), dateArg(p.ExpiresOn), p.BlockedReason, timeArg(time.Now()),
		p.BlockNotice.Reason, p.BlockNotice.Text, p.BlockNotice.Shown)
	return affectedOne(res, err, "update patron %d", p.ID)
}

const setPINSQL = `UPDATE patrons SET pin_kind = $2, pin_hash = $3, pin_set_at = $4, pin_expires_at = $5, updated_at = $6
WHERE id = $1`

// SetPIN implements library.Tx.
func (t *tx) SetPIN(patronID int64, pin library.PINRecord) error {
	res, err := t.exec(setPINSQL, patronID, string(pin.Kind), textArg(pin.Hash),
		timeArg(pin.SetAt), timeArg(pin.ExpiresAt), timeArg(time.Now()))
	return affectedOne(res, err, "set PIN of patron %d", patronID)
}

// EachPatron implements library.Tx. It reads the patrons a page at a time,
// so fn may use the transaction (a connection cannot run a query while
// another one's rows are open on it) and memory stays bounded; patrons fn
// changes may or may not be visited again.
func (t *tx) EachPatron(fn func(library.Patron) error) error {
	return eachPage(t, `SELECT `+patronColumns+` FROM patrons WHERE barcode > $1 ORDER BY barcode LIMIT $2`,
		scanPatron, func(p library.Patron) string { return p.Barcode }, fn)
}

// CountPatrons implements library.Tx.
func (t *tx) CountPatrons() (int, error) {
	n, err := t.count(`SELECT COUNT(*) FROM patrons`)
	return n, wrap(err, "count patrons")
}
