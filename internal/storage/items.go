package storage

import "github.com/carrel-library/carrel/internal/library"

const itemColumns = `id, barcode, title, author, call_number, location, withdrawn`

// scanItem reads a row of itemColumns.
func scanItem(s scanner) (library.Item, error) {
	var it library.Item
	err := s.Scan(&it.ID, &it.Barcode, &it.Title, &it.Author, &it.CallNumber, &it.Location, &it.Withdrawn)
	return it, err
}

// ItemByID implements library.Tx.
func (t *tx) ItemByID(id int64) (library.Item, error) {
	it, err := scanItem(t.queryRow(`SELECT `+itemColumns+` FROM items WHERE id = $1`, id))
	return it, wrap(err, "item %d", id)
}

const itemByBarcodeSQL = `SELECT ` + itemColumns + ` FROM items WHERE barcode = $1`

// ItemByBarcode implements library.Tx.
func (t *tx) ItemByBarcode(barcode string) (library.Item, error) {
	it, err := scanItem(t.queryRow(itemByBarcodeSQL, barcode))
	return it, wrap(err, "item %q", barcode)
}

const createItemSQL = `INSERT INTO items (barcode, title, author, call_number, location, withdrawn)
VALUES ($1, $2, $3, $4, $5, $6)`

// CreateItem implements library.Tx.
func (t *tx) CreateItem(it *library.Item) error {
	id, err := t.insert(createItemSQL, it.Barcode, it.Title, it.Author, it.CallNumber, it.Location, it.Withdrawn)
	if err == nil {
		it.ID = id
	}
	return wrap(err, "create item %q", it.Barcode)
}

const updateItemSQL = `UPDATE items SET barcode = $2, title = $3, author = $4, call_number = $5,
	location = $6, withdrawn = $7
WHERE id = $1`

// UpdateItem implements library.Tx.
func (t *tx) UpdateItem(it library.Item) error {
	res, err := t.exec(updateItemSQL, it.ID, it.Barcode, it.Title, it.Author, it.CallNumber, it.Location, it.Withdrawn)
	return affectedOne(res, err, "update item %d", it.ID)
}

// EachItem implements library.Tx, a page at a time like EachPatron.
func (t *tx) EachItem(fn func(library.Item) error) error {
	return eachPage(t, `SELECT `+itemColumns+` FROM items WHERE barcode > $1 ORDER BY barcode LIMIT $2`,
		scanItem, func(it library.Item) string { return it.Barcode }, fn)
}

// CountItems implements library.Tx.
func (t *tx) CountItems() (int, error) {
	n, err := t.count(`SELECT COUNT(*) FROM items`)
	return n, wrap(err, "count items")
}
