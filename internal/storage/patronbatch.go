package storage

import (
	"fmt"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// batchRows is how many patrons one INSERT writes: 12 parameters a row
// stays far below PostgreSQL's 65,535 parameters a statement, and a batch
// of 1,000 already makes the round trip a small part of each row's cost.
const batchRows = 1000

// CreatePatrons implements library.Tx. On SQLite, which runs in the same
// process, a prepared INSERT a row is as fast as a statement of many rows
// (and needs no RETURNING, which costs SQLite a temporary table). On
// PostgreSQL every statement is a round trip, so the patrons are written
// batchRows at a time: an import of 100,000 patrons takes 200 round trips
// instead of 200,000.
func (t *tx) CreatePatrons(ps []*library.Patron) error {
	if !t.d.remote {
		for i, p := range ps {
			if err := t.CreatePatron(p); err != nil {
				return &library.BatchError{Index: i, Err: err}
			}
		}
		return nil
	}
	if err := t.refuseRetired(ps); err != nil {
		return err
	}
	now := timeArg(time.Now())
	for start := 0; start < len(ps); start += batchRows {
		chunk := ps[start:min(start+batchRows, len(ps))]
		if err := t.insertPatrons(chunk, now); err != nil {
			return t.findBadPatron(chunk, start, err)
		}
	}
	return nil
}

// refuseRetired refuses the first patron, in order, whose barcode belonged
// to a replaced card, as CreatePatron does, with one query a batch.
func (t *tx) refuseRetired(ps []*library.Patron) error {
	retired := make(map[string]bool)
	for start := 0; start < len(ps); start += batchRows {
		chunk := ps[start:min(start+batchRows, len(ps))]
		args := make([]any, len(chunk))
		for i, p := range chunk {
			args[i] = p.Barcode
		}
		rows, err := t.query(`SELECT barcode FROM former_barcodes WHERE barcode IN (`+placeholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return wrap(err, "look up former barcodes")
		}
		for rows.Next() {
			var b string
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return wrap(err, "look up former barcodes")
			}
			retired[b] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return wrap(err, "look up former barcodes")
		}
	}
	if len(retired) == 0 {
		return nil
	}
	for i, p := range ps {
		if retired[p.Barcode] {
			return &library.BatchError{Index: i, Err: library.Errorf(library.ECONFLICT,
				"storage: create patron: the barcode belonged to a replaced card")}
		}
	}
	return nil
}

// insertPatrons writes chunk in one INSERT, inside a savepoint so that a
// refusal can be traced to its row, and sets the patrons' IDs.
func (t *tx) insertPatrons(chunk []*library.Patron, now any) error {
	if _, err := t.exec(`SAVEPOINT create_patrons`); err != nil {
		return err
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO patrons (barcode, category, name, email, registered_on, expires_on,
	blocked_reason, pin_kind, pin_hash, pin_set_at, pin_expires_at,
	block_notice_reason, block_notice_text, block_notice_shown, created_at, updated_at) VALUES `)
	const cols = 14
	nowParam := fmt.Sprintf("$%d", len(chunk)*cols+1)
	args := make([]any, 0, len(chunk)*cols+1)
	byBarcode := make(map[string]*library.Patron, len(chunk))
	for i, p := range chunk {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(")
		q.WriteString(placeholders(i*cols+1, cols))
		q.WriteString(", " + nowParam + ", " + nowParam + ")")
		args = append(args, p.Barcode, p.Category, p.Name, p.Email, dateArg(p.RegisteredOn), dateArg(p.ExpiresOn),
			p.BlockedReason, string(p.PIN.Kind), textArg(p.PIN.Hash), timeArg(p.PIN.SetAt), timeArg(p.PIN.ExpiresAt),
			p.BlockNotice.Reason, p.BlockNotice.Text, p.BlockNotice.Shown)
		byBarcode[p.Barcode] = p
	}
	args = append(args, now)
	q.WriteString(" RETURNING id, barcode")
	rows, err := t.query(q.String(), args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var b string
		if err := rows.Scan(&id, &b); err != nil {
			rows.Close()
			return err
		}
		if p := byBarcode[b]; p != nil {
			p.ID = id
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	_, err = t.exec(`RELEASE SAVEPOINT create_patrons`)
	return err
}

// findBadPatron explains a batch INSERT that failed with err: it rolls the
// batch back and writes its patrons one at a time, so that the error names
// the patron refused and says what CreatePatron would. A lost serialisation
// conflict is returned as it is, for the transaction to be run again.
func (t *tx) findBadPatron(chunk []*library.Patron, start int, err error) error {
	if retryable(err) {
		return err
	}
	if _, rerr := t.exec(`ROLLBACK TO SAVEPOINT create_patrons`); rerr != nil {
		return &library.BatchError{Index: start, Err: wrap(err, "create patron")}
	}
	for i, p := range chunk {
		if perr := t.CreatePatron(p); perr != nil {
			return &library.BatchError{Index: start + i, Err: perr}
		}
	}
	return &library.BatchError{Index: start, Err: wrap(err, "create patron")}
}

// placeholders returns n parameters "$first, $first+1, ...".
func placeholders(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
	}
	return b.String()
}
