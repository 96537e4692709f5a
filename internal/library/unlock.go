package library

import "context"

// Unlock ends the sign-in pause on a barcode at once and forgets its
// failures, without changing the PIN. It works on every node, since locks
// live in the database. Unlocking a barcode that is not locked, or that
// belongs to no patron, is not an error: it says nothing either way.
func (s *Service) Unlock(ctx context.Context, barcodeInput, actor string) error {
	barcode := NormalizeBarcode(barcodeInput)
	if barcode == "" {
		return Errorf(EINVALID, "a barcode is needed")
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.Unlock(barcodeKey(barcode)); err != nil {
			return err
		}
		p, err := tx.PatronByBarcode(barcode)
		if IsCode(err, ENOTFOUND) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.audit(tx, actor, p.ID, "signin.unlock", "")
	})
}
