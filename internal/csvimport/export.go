package csvimport

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/carrel-library/carrel/internal/library"
)

// Source is what an export reads: each call one consistent snapshot of the
// library, row by row, so that memory does not grow with the library.
// *storage.DB is one.
type Source interface {
	// ExportPatrons calls fn for every patron, in barcode order.
	ExportPatrons(ctx context.Context, fn func(library.Patron) error) error
	// ExportItems calls fn for every item, in barcode order.
	ExportItems(ctx context.Context, fn func(library.Item) error) error
	// ExportOpenLoans calls fn for every open loan, in item barcode order,
	// with the item's barcode and the borrower's.
	ExportOpenLoans(ctx context.Context, fn func(library.ItemStatus) error) error
}

// Export writes the library's patrons, items or open loans to w as a CSV
// file of the given kind, with the columns Import reads (DESIGN section 5),
// and returns how many rows it wrote. Days are written in the library's
// time zone (cfg). A cell a spreadsheet would take for a formula is written
// with a quote in front (EscapeFormula), which Import takes off again, so
// an export imports back to the same patrons, items and loans.
//
// A patron file's hkid column is always empty: Carrel never stores an HKID
// number. Withdrawn items are written like any other (the column set has
// no place for the flag), and a PIN is never written.
func Export(ctx context.Context, src Source, cfg *library.Config, kind Kind, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	n := 0
	write := func(cells ...string) error {
		for i, c := range cells {
			cells[i] = EscapeFormula(c)
		}
		n++
		return cw.Write(cells)
	}
	var err error
	switch kind {
	case Patrons:
		if err = cw.Write(patronColumns); err == nil {
			err = src.ExportPatrons(ctx, func(p library.Patron) error {
				return write(p.Barcode, p.Category, p.Name, p.Email, p.RegisteredOn.String(), p.ExpiresOn.String(), "")
			})
		}
	case Items:
		if err = cw.Write(itemColumns); err == nil {
			err = src.ExportItems(ctx, func(it library.Item) error {
				return write(it.Barcode, it.Title, it.Author, it.CallNumber, it.Location)
			})
		}
	case Loans:
		loc := cfg.Location()
		if err = cw.Write(loanColumns); err == nil {
			err = src.ExportOpenLoans(ctx, func(s library.ItemStatus) error {
				return write(s.PatronBarcode, s.Item.Barcode,
					library.DateOf(s.Loan.CheckedOutAt, loc).String(), library.DateOf(s.Loan.DueAt, loc).String())
			})
		}
	default:
		return 0, library.Errorf(library.EINVALID, "csvimport: unknown kind %q (want patrons, items or loans)", kind)
	}
	if err != nil {
		return n, fmt.Errorf("csvimport: export %s: %w", kind, err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("csvimport: export %s: %w", kind, err)
	}
	return n, nil
}
