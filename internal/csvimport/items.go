package csvimport

import (
	"context"
	"fmt"
	"io"

	"github.com/carrel-library/carrel/internal/library"
)

// itemColumns are the columns of an item file (DESIGN section 5).
var itemColumns = []string{"barcode", "title", "author", "call_number", "location"}

// Positions of the item columns in a row.
const (
	iBarcode = iota
	iTitle
	iAuthor
	iCallNumber
	iLocation
)

// itemRow is a checked row of an item file.
type itemRow struct {
	line int
	it   library.Item
}

func importItems(ctx context.Context, svc *library.Service, r io.Reader, m *meter) (Summary, error) {
	var probs problems
	rows, err := readCSV(r, itemColumns, &probs)
	if err != nil {
		return Summary{}, err
	}
	items := checkItems(rows, &probs)
	if err := probs.err(); err != nil {
		return Summary{}, err
	}

	m.start(len(items))
	var sum Summary
	err = svc.Store().Update(ctx, func(tx library.Tx) error {
		sum = Summary{}
		existing, err := loadItems(tx)
		if err != nil {
			return err
		}
		for _, r := range items {
			if err := applyItem(tx, r, existing, &sum); err != nil {
				return err
			}
			m.step(1)
		}
		return audit(tx, svc, Items, sum)
	})
	if err != nil {
		return Summary{}, err
	}
	m.finish()
	return sum, nil
}

// checkItems checks every row of an item file, adding what is wrong to probs.
func checkItems(rows []row, probs *problems) []itemRow {
	items := make([]itemRow, 0, len(rows))
	barcodes := make(seen, len(rows))
	for _, rw := range rows {
		f, line := rw.fields, rw.line
		bad := len(*probs)
		// NormalizeBarcode drops spaces and dashes, as a scanner's or a
		// person's input is treated at the desk and the kiosk, so an item
		// is found by whatever form its label was typed in.
		barcode := library.NormalizeBarcode(f[iBarcode])
		if barcode == "" {
			probs.add(line, "barcode", "is empty")
		} else if first := barcodes.dup(barcode, line); first != 0 {
			probs.add(line, "barcode", "%s is already on line %d", barcode, first)
		}
		if f[iTitle] == "" {
			probs.add(line, "title", "is empty")
		}
		if len(*probs) > bad {
			continue
		}
		items = append(items, itemRow{line: line, it: library.Item{
			Barcode:    barcode,
			Title:      f[iTitle],
			Author:     f[iAuthor],
			CallNumber: f[iCallNumber],
			Location:   f[iLocation],
		}})
	}
	return items
}

// loadItems reads every item once, as loadPatrons does for patrons.
func loadItems(tx library.Tx) (map[string]library.Item, error) {
	existing := make(map[string]library.Item)
	err := tx.EachItem(func(it library.Item) error {
		existing[it.Barcode] = it
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("csvimport: load items: %w", err)
	}
	return existing, nil
}

// applyItem creates or updates the row's item and counts the outcome. An
// existing item keeps its withdrawn flag, which the file does not carry.
func applyItem(tx library.Tx, r itemRow, existing map[string]library.Item, sum *Summary) error {
	old, found := existing[r.it.Barcode]
	if !found {
		it := r.it
		if err := tx.CreateItem(&it); err != nil {
			return fmt.Errorf("csvimport: line %d: %w", r.line, err)
		}
		sum.Added++
		return nil
	}
	upd := old
	upd.Title, upd.Author, upd.CallNumber, upd.Location = r.it.Title, r.it.Author, r.it.CallNumber, r.it.Location
	if upd == old {
		sum.Unchanged++
		return nil
	}
	if err := tx.UpdateItem(upd); err != nil {
		return fmt.Errorf("csvimport: line %d: %w", r.line, err)
	}
	sum.Updated++
	return nil
}
