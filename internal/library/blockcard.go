package library

import (
	"context"
	"strings"
)

// BlockCard blocks the patron with the given barcode from borrowing and
// renewing, at a machine's request (SIP2 Block Patron: a kiosk that kept a
// card, say). reason is what staff will see; a patron already blocked keeps
// the first reason. When the machine kept the card (cardKept) and the
// library has the BlockCardKept reason, the patron is told so and where
// to get the card back; otherwise the patron reads only that the account
// is blocked and to contact library staff, since the machine's reason is
// not written for them. It returns the patron as now stored.
func (s *Service) BlockCard(ctx context.Context, barcode, reason, actor string, cardKept bool) (Patron, error) {
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
		if _, ok := s.cfg.BlockReason(BlockCardKept); ok && cardKept {
			p.BlockNotice = BlockNotice{Reason: BlockCardKept, Shown: true}
		}
		if err := tx.UpdatePatron(p); err != nil {
			return err
		}
		return s.audit(tx, actor, p.ID, "patron.block", reason+noticeDetail(p.BlockNotice))
	})
	return p, err
}
