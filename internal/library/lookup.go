package library

import "context"

// RecordByBarcode returns the borrowing record of the patron with the given
// barcode, in one read transaction; ENOTFOUND when there is no such
// patron. Machines (SIP2) know patrons by barcode, not by ID.
func (s *Service) RecordByBarcode(ctx context.Context, barcode string) (Record, error) {
	var rec Record
	err := s.store.View(ctx, func(tx Tx) error {
		p, err := tx.PatronByBarcode(NormalizeBarcode(barcode))
		if err != nil {
			return err
		}
		rec, err = s.loadRecord(tx, p, s.now(), LoanPage{})
		return err
	})
	return rec, err
}

// ItemStatus is an item and, when it is out, its current loan.
type ItemStatus struct {
	Item Item
	// Loan is the open loan; its ID is 0 when the item is not on loan.
	Loan Loan
	// PatronBarcode is the borrower's barcode when the item is on loan.
	PatronBarcode string
	// Holds is how many open holds the item has; Trapped is set when it
	// waits on the hold shelf for the first of them.
	Holds   int
	Trapped bool
}

// OnLoan reports whether the item is out.
func (st ItemStatus) OnLoan() bool { return st.Loan.ID != 0 }

// ItemStatusByBarcode returns the item with the given barcode, its current
// loan, if any, and its holds; ENOTFOUND when there is no such item.
func (s *Service) ItemStatusByBarcode(ctx context.Context, barcode string) (ItemStatus, error) {
	var st ItemStatus
	err := s.store.View(ctx, func(tx Tx) error {
		st = ItemStatus{}
		it, err := tx.ItemByBarcode(NormalizeBarcode(barcode))
		if err != nil {
			return err
		}
		st.Item = it
		holds, err := tx.ItemHolds(it.ID)
		if err != nil {
			return err
		}
		st.Holds = len(holds)
		st.Trapped = len(holds) > 0 && holds[0].State == HoldTrapped
		l, err := tx.OpenLoanForItem(it.ID)
		if IsCode(err, ENOTFOUND) {
			return nil
		}
		if err != nil {
			return err
		}
		st.Loan = l
		p, err := tx.PatronByID(l.PatronID)
		if err != nil {
			return err
		}
		st.PatronBarcode = p.Barcode
		return nil
	})
	return st, err
}

// PatronExists reports whether a patron has the given barcode.
func (s *Service) PatronExists(ctx context.Context, barcode string) (bool, error) {
	err := s.store.View(ctx, func(tx Tx) error {
		_, err := tx.PatronByBarcode(NormalizeBarcode(barcode))
		return err
	})
	if IsCode(err, ENOTFOUND) {
		return false, nil
	}
	return err == nil, err
}
