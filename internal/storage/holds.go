package storage

import (
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// holdSelect reads holds with their items and patrons in one query. A
// waiting hold's place in its item's queue is counted in the same query,
// from the queue index.
const holdSelect = `SELECT h.id, h.patron_id, h.state, h.placed_at, h.trapped_at, h.pickup_by, h.closed_at,
	CASE WHEN h.state = 'waiting' THEN (SELECT COUNT(*) FROM holds q
		WHERE q.item_id = h.item_id AND q.state = 'waiting'
		AND (q.placed_at < h.placed_at OR (q.placed_at = h.placed_at AND q.id <= h.id))) ELSE 0 END,
	p.barcode, p.name,
	i.id, i.barcode, i.title, i.author, i.call_number, i.location, i.withdrawn
FROM holds h
JOIN items i ON i.id = h.item_id
LEFT JOIN patrons p ON p.id = h.patron_id`

// openHold is the SQL condition of a hold still open.
const openHold = `h.state IN ('waiting', 'trapped')`

// scanHold reads a row of holdSelect.
func scanHold(s scanner) (library.Hold, error) {
	var h library.Hold
	var state string
	var position int64
	it := &h.Item
	err := s.Scan(&h.ID, idCol{&h.PatronID}, &state, timeCol{&h.PlacedAt}, timeCol{&h.TrappedAt},
		timeCol{&h.PickupBy}, timeCol{&h.ClosedAt}, &position, textCol{&h.PatronBarcode}, textCol{&h.PatronName},
		&it.ID, &it.Barcode, &it.Title, &it.Author, &it.CallNumber, &it.Location, &it.Withdrawn)
	h.State, h.Position = library.HoldState(state), int(position)
	return h, err
}

// CreateHold implements library.Tx. The unique indexes refuse a second open
// hold of a patron on an item, and a second trapped hold on an item.
func (t *tx) CreateHold(h *library.Hold) error {
	id, err := t.insert(`INSERT INTO holds (patron_id, item_id, state, placed_at, trapped_at, pickup_by, closed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, idArg(h.PatronID), h.Item.ID, string(h.State), timeArg(h.PlacedAt),
		timeArg(h.TrappedAt), timeArg(h.PickupBy), timeArg(h.ClosedAt))
	if err == nil {
		h.ID = id
	}
	return wrap(err, "create hold on item %d", h.Item.ID)
}

// HoldByID implements library.Tx.
func (t *tx) HoldByID(id int64) (library.Hold, error) {
	h, err := scanHold(t.queryRow(holdSelect+` WHERE h.id = $1`, id))
	return h, wrap(err, "hold %d", id)
}

// UpdateHold implements library.Tx.
func (t *tx) UpdateHold(h library.Hold) error {
	res, err := t.exec(`UPDATE holds SET patron_id = $2, state = $3, trapped_at = $4, pickup_by = $5, closed_at = $6
WHERE id = $1`, h.ID, idArg(h.PatronID), string(h.State), timeArg(h.TrappedAt), timeArg(h.PickupBy), timeArg(h.ClosedAt))
	return affectedOne(res, err, "update hold %d", h.ID)
}

// PatronHolds implements library.Tx.
func (t *tx) PatronHolds(patronID int64, closedSince time.Time) ([]library.Hold, error) {
	return queryAll(t, holdSelect+`
WHERE h.patron_id = $1 AND (`+openHold+` OR h.closed_at >= $2)
ORDER BY h.id DESC`, scanHold, "holds of a patron", patronID, timeBound(closedSince))
}

// CountOpenHolds implements library.Tx.
func (t *tx) CountOpenHolds(patronID int64) (int, error) {
	n, err := t.count(`SELECT COUNT(*) FROM holds h WHERE h.patron_id = $1 AND `+openHold, patronID)
	return n, wrap(err, "count open holds of patron %d", patronID)
}

// OpenHold implements library.Tx.
func (t *tx) OpenHold(patronID, itemID int64) (library.Hold, error) {
	h, err := scanHold(t.queryRow(holdSelect+` WHERE h.patron_id = $1 AND h.item_id = $2 AND `+openHold, patronID, itemID))
	return h, wrap(err, "open hold of patron %d on item %d", patronID, itemID)
}

// ItemHolds implements library.Tx.
func (t *tx) ItemHolds(itemID int64) ([]library.Hold, error) {
	return queryAll(t, holdSelect+`
WHERE h.item_id = $1 AND `+openHold+`
ORDER BY CASE WHEN h.state = 'trapped' THEN 0 ELSE 1 END, h.placed_at, h.id`, scanHold, "holds on an item", itemID)
}

// TrappedHolds implements library.Tx.
func (t *tx) TrappedHolds() ([]library.Hold, error) {
	return queryAll(t, holdSelect+`
WHERE h.state = 'trapped'
ORDER BY h.pickup_by, h.id`, scanHold, "hold shelf")
}

// HeldItems implements library.Tx.
func (t *tx) HeldItems(patronID int64) ([]int64, error) {
	return queryAll(t, `SELECT DISTINCT l.item_id FROM loans l
JOIN holds h ON h.item_id = l.item_id AND h.state = 'waiting'
WHERE l.patron_id = $1 AND l.returned_at IS NULL`, func(s scanner) (int64, error) {
		var id int64
		err := s.Scan(&id)
		return id, err
	}, "held items of a patron", patronID)
}

// UnlinkClosedHolds implements library.Tx.
func (t *tx) UnlinkClosedHolds(before time.Time) (int, error) {
	res, err := t.exec(`UPDATE holds SET patron_id = NULL
WHERE patron_id IS NOT NULL AND state NOT IN ('waiting', 'trapped') AND closed_at < $1`, timeBound(before))
	if err != nil {
		return 0, wrap(err, "unlink closed holds")
	}
	n, err := res.RowsAffected()
	return int(n), wrap(err, "unlink closed holds")
}
