package csvimport

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// loanColumns are the columns of a loan file (DESIGN section 5).
var loanColumns = []string{"patron_barcode", "item_barcode", "checked_out_on", "due_on"}

// Positions of the loan columns in a row.
const (
	lPatron = iota
	lItem
	lCheckedOut
	lDue
)

// loanRow is a checked row of a loan file.
type loanRow struct {
	line         int
	patron, item string // normalised barcodes
	checkedOut   library.Date
	due          library.Date
	loan         library.Loan // filled in from the database
	existing     bool         // the same loan is already open in the database
	dueChanged   bool         // ... with another due date
}

// importLoans brings in the current loans of the system Carrel replaces.
//
// The loans are facts of the old system, not new borrowing: they are
// imported as given, even past the patron's loan limit, for a blocked or
// expired patron, with fines owed, overdue, or due on a closed day, since
// refusing them would only lose track of books that are out. Two things
// are refused because they cannot be true: a loan to a card holder (who
// could not have borrowed) and a second open loan of one item. A loan that
// is already open for the same patron, item and checkout day counts as
// unchanged (or updated, when the due day differs), so a file can be run
// again after a fix.
func importLoans(ctx context.Context, svc *library.Service, r io.Reader, m *meter) (Summary, error) {
	cfg := svc.Config()
	var probs problems
	rows, err := readCSV(r, loanColumns, &probs)
	if err != nil {
		return Summary{}, err
	}
	loans := checkLoans(rows, cfg.Today(svc.Now()), &probs)
	if err := probs.err(); err != nil {
		return Summary{}, err
	}

	m.start(len(loans))
	var sum Summary
	err = svc.Store().Update(ctx, func(tx library.Tx) error {
		sum = Summary{}
		// Everything the database must confirm is checked before anything
		// is written, so a refused file costs no writes to roll back.
		var probs problems
		if err := resolveLoans(tx, cfg.Location(), loans, &probs); err != nil {
			return err
		}
		if err := probs.err(); err != nil {
			return err
		}
		for i := range loans {
			if err := applyLoan(tx, &loans[i], &sum); err != nil {
				return err
			}
			m.step(1)
		}
		return audit(tx, svc, Loans, sum)
	})
	if err != nil {
		return Summary{}, err
	}
	m.finish()
	return sum, nil
}

// checkLoans checks every row of a loan file on its own, adding what is
// wrong to probs; resolveLoans checks the rows against the database.
func checkLoans(rows []row, today library.Date, probs *problems) []loanRow {
	loans := make([]loanRow, 0, len(rows))
	items := make(seen, len(rows))
	for _, rw := range rows {
		f, line := rw.fields, rw.line
		bad := len(*probs)
		lr := loanRow{line: line, patron: library.NormalizeBarcode(f[lPatron]), item: library.NormalizeBarcode(f[lItem])}
		if lr.patron == "" {
			probs.add(line, "patron_barcode", "is empty")
		}
		if lr.item == "" {
			probs.add(line, "item_barcode", "is empty")
		} else if first := items.dup(lr.item, line); first != 0 {
			probs.add(line, "item_barcode", "item %s is already lent on line %d: an item can be on loan only once", lr.item, first)
		}
		var err error
		lr.checkedOut, err = requiredDate(f[lCheckedOut])
		switch {
		case err != nil:
			probs.add(line, "checked_out_on", "%s", reason(err))
		case lr.checkedOut.After(today):
			probs.add(line, "checked_out_on", "%s is in the future", lr.checkedOut)
		}
		lr.due, err = requiredDate(f[lDue])
		switch {
		case err != nil:
			probs.add(line, "due_on", "%s", reason(err))
		case !lr.checkedOut.IsZero() && lr.due.Before(lr.checkedOut):
			probs.add(line, "due_on", "%s is before checked_out_on %s", lr.due, lr.checkedOut)
		}
		if len(*probs) == bad {
			loans = append(loans, lr)
		}
	}
	return loans
}

// requiredDate reads a YYYY-MM-DD day that must be given.
func requiredDate(s string) (library.Date, error) {
	if s == "" {
		return library.Date{}, library.Errorf(library.EINVALID, "is empty (want a date in the form YYYY-MM-DD)")
	}
	return library.ParseDate(s)
}

// resolveLoans finds each row's patron, item and any open loan of the item,
// adding to probs what the database does not allow. A loan file names each
// patron several times, so patrons are looked up once each.
func resolveLoans(tx library.Tx, loc *time.Location, loans []loanRow, probs *problems) error {
	type lookup struct {
		p     library.Patron
		found bool
	}
	patrons := make(map[string]lookup)
	for i := range loans {
		lr := &loans[i]
		pl, ok := patrons[lr.patron]
		if !ok {
			p, err := tx.PatronByBarcode(lr.patron)
			if err != nil && !library.IsCode(err, library.ENOTFOUND) {
				return fmt.Errorf("csvimport: line %d: %w", lr.line, err)
			}
			pl = lookup{p: p, found: err == nil}
			patrons[lr.patron] = pl
		}
		switch {
		case !pl.found:
			probs.add(lr.line, "patron_barcode", "no patron has barcode %s (import the patrons first)", lr.patron)
		case !pl.p.Registered():
			probs.add(lr.line, "patron_barcode", "patron %s is a card holder who has not completed registration, so cannot have a loan", lr.patron)
		}

		it, err := tx.ItemByBarcode(lr.item)
		if library.IsCode(err, library.ENOTFOUND) {
			probs.add(lr.line, "item_barcode", "no item has barcode %s (import the items first)", lr.item)
			continue
		}
		if err != nil {
			return fmt.Errorf("csvimport: line %d: %w", lr.line, err)
		}
		if it.Withdrawn {
			probs.add(lr.line, "item_barcode", "item %s is withdrawn", lr.item)
			continue
		}
		open, err := tx.OpenLoanForItem(it.ID)
		switch {
		case library.IsCode(err, library.ENOTFOUND):
			lr.loan = library.Loan{
				PatronID:     pl.p.ID,
				Item:         it,
				CheckedOutAt: lr.checkedOut.Time(loc),
				DueAt:        lr.due.EndOf(loc),
			}
		case err != nil:
			return fmt.Errorf("csvimport: line %d: %w", lr.line, err)
		case pl.found && open.PatronID == pl.p.ID && sameDay(library.DateOf(open.CheckedOutAt, loc), lr.checkedOut):
			// The same loan, from an earlier run of this file.
			lr.existing = true
			lr.loan = open
			if due := lr.due.EndOf(loc); !open.DueAt.Equal(due) {
				lr.loan.DueAt, lr.dueChanged = due, true
			}
		default:
			// Which patron has it is not said: the file is for staff, but
			// who borrows what is private (the barcode of the other patron
			// is a look-up away at the desk).
			probs.add(lr.line, "item_barcode", "item %s is already on loan, checked out on %s (check it in first)",
				lr.item, library.DateOf(open.CheckedOutAt, loc))
		}
	}
	return nil
}

// applyLoan writes a resolved row and counts the outcome.
func applyLoan(tx library.Tx, lr *loanRow, sum *Summary) error {
	switch {
	case !lr.existing:
		if err := tx.CreateLoan(&lr.loan); err != nil {
			return fmt.Errorf("csvimport: line %d: %w", lr.line, err)
		}
		sum.Added++
	case lr.dueChanged:
		if err := tx.UpdateLoan(lr.loan); err != nil {
			return fmt.Errorf("csvimport: line %d: %w", lr.line, err)
		}
		sum.Updated++
	default:
		sum.Unchanged++
	}
	return nil
}
