package library

import "context"

// ReasonNoHold refuses to cancel a hold the patron does not have: the same
// answer whether someone else holds the item or no one does, so that a
// patron cannot learn who waits for what.
const ReasonNoHold Reason = "no_hold"

// PatronPlaceHold places a hold for the patron with the given ID on the
// item with itemBarcode, at the patron's own request (a SIP2 kiosk, My
// Account). The rules and refusals are the desk's (PlaceHold); actor names
// the entrance in the audit log, e.g. "sip2:LOGIN". An unknown item gives
// ENOTFOUND.
func (s *Service) PatronPlaceHold(ctx context.Context, patronID int64, itemBarcode, actor string) (Hold, error) {
	return s.placeHold(ctx, byName(actor), patronID, itemBarcode)
}

// PatronCancelHold cancels the patron's own open hold on the item with
// itemBarcode, at their request. A trapped hold's item passes to the next
// hold in the queue, as at the desk. When the patron has no open hold on
// the item it refuses with ReasonNoHold; an unknown item gives ENOTFOUND.
// The patron's standing does not matter: anyone may give up a hold.
func (s *Service) PatronCancelHold(ctx context.Context, patronID int64, itemBarcode, actor string) error {
	by := byName(actor)
	return s.store.Update(ctx, func(tx Tx) error {
		it, err := tx.ItemByBarcode(NormalizeBarcode(itemBarcode))
		if err != nil {
			return err
		}
		h, err := tx.OpenHold(patronID, it.ID)
		if IsCode(err, ENOTFOUND) {
			return &Refusal{Reason: ReasonNoHold}
		}
		if err != nil {
			return err
		}
		_, err = s.cancelHold(tx, by, h, "item "+it.Barcode+": at the patron's request")
		return err
	})
}
