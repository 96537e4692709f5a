package library

import "context"

// ReplaceCard gives the patron a new card: newBarcode replaces oldBarcode,
// which must be the patron's current barcode (a stale page, or the form
// submitted twice, gives ECONFLICT and changes nothing). From then on the
// old barcode is refused everywhere, sign-in, desk and SIP2 alike: it
// finds no patron and no patron may have it again. It is kept in the
// patron's list of former barcodes. Loans, holds and fines stay with the
// patron; every session of the patron ends. A barcode preset PIN follows
// the new barcode, as the rule derives it.
func (s *Service) ReplaceCard(ctx context.Context, by Actor, patronID int64, oldBarcode, newBarcode string) (Patron, error) {
	if err := by.staffOnly(); err != nil {
		return Patron{}, err
	}
	oldBarcode, newBarcode = NormalizeBarcode(oldBarcode), NormalizeBarcode(newBarcode)
	if newBarcode == "" {
		return Patron{}, Errorf(EINVALID, "a new barcode is needed")
	}
	return s.changePatron(ctx, patronID, func(tx Tx, p *Patron) (bool, error) {
		if p.Barcode != oldBarcode {
			return false, Errorf(ECONFLICT, "the card was already replaced: reload the patron's page")
		}
		if newBarcode == oldBarcode {
			return false, Errorf(EINVALID, "the new barcode is the old one")
		}
		cat, ok := s.cfg.Category(p.Category)
		if ok && !cat.ValidBarcode(newBarcode) {
			return false, Errorf(EINVALID, "the new barcode does not fit the %s category (%s)", p.Category, cat.BarcodeHint)
		}
		retired, err := tx.BarcodeRetired(newBarcode)
		if err != nil {
			return false, err
		}
		if retired {
			return false, Errorf(ECONFLICT, "the new barcode belonged to a replaced card")
		}
		if _, err := tx.PatronByBarcode(newBarcode); err == nil {
			return false, Errorf(ECONFLICT, "another patron has the new barcode")
		} else if !IsCode(err, ENOTFOUND) {
			return false, err
		}
		if err := tx.RetireBarcode(p.ID, oldBarcode, s.now()); err != nil {
			return false, err
		}
		if err := tx.DeletePatronSessions(p.ID, 0); err != nil {
			return false, err
		}
		if err := tx.Unlock(barcodeKey(oldBarcode)); err != nil {
			return false, err
		}
		p.Barcode = newBarcode
		return true, s.auditBy(tx, by, p.ID, "patron.card.replace", "old barcode "+oldBarcode+" refused from now on; new barcode "+newBarcode)
	})
}
