package library

import (
	"context"
	"strings"
)

// BlockCard blocks the patron with the given barcode from borrowing and
// renewing, at a machine's request (SIP2 Block Patron: a kiosk that kept a
// card, say). reason is what staff will see; a patron already blocked keeps
// the first reason. It returns the patron as now stored.
func (s *Service) BlockCard(ctx context.Context, barcode, reason, actor string) (Patron, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = "blocked by a self-service machine"
	}
	var p Patron
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		p, err = tx.PatronByBarcode(NormalizeBarcode(barcode))
		if err != nil {
			return err
		}
		if p.BlockedReason != "" {
			return nil
		}
		p.BlockedReason = reason
		if err := tx.UpdatePatron(p); err != nil {
			return err
		}
		return s.audit(tx, actor, p.ID, "patron.block", reason)
	})
	return p, err
}
