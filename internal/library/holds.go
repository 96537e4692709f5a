package library

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// HoldState is where a hold is in its life.
type HoldState string

// The states of a hold. Waiting and trapped holds are open.
const (
	HoldWaiting   HoldState = "waiting"   // in the item's queue
	HoldTrapped   HoldState = "trapped"   // on the hold shelf for its patron until PickupBy
	HoldFulfilled HoldState = "fulfilled" // lent to its patron
	HoldCancelled HoldState = "cancelled" // by staff or the patron
	HoldExpired   HoldState = "expired"   // not picked up in time
)

// Hold is a patron's request for an item that is on loan. Holds on an item
// queue by the time they were placed; check-in traps the item for the
// first, which then waits on the hold shelf for its patron.
type Hold struct {
	ID       int64
	PatronID int64 // 0 once a closed hold is unlinked from its patron
	Item     Item
	State    HoldState
	PlacedAt time.Time
	// TrappedAt and PickupBy are set when the item is put on the hold
	// shelf: the patron may collect it until PickupBy.
	TrappedAt time.Time
	PickupBy  time.Time
	// ClosedAt is when the hold was fulfilled, cancelled or expired.
	ClosedAt time.Time
	// Position is the hold's place in the item's queue, 1 for the next;
	// 0 for a hold that is not waiting.
	Position int
	// PatronBarcode and PatronName name the patron for the desk (the hold
	// shelf, an item's queue); empty once unlinked.
	PatronBarcode string
	PatronName    string
}

// Open reports whether the hold is waiting or trapped.
func (h Hold) Open() bool { return h.State == HoldWaiting || h.State == HoldTrapped }

// The reasons for refusing a hold, or a loan or renewal because of one.
const (
	ReasonHoldLimit       Reason = "hold_limit"       // as many open holds as the category allows
	ReasonHoldExists      Reason = "hold_exists"      // the patron already holds this item
	ReasonItemAvailable   Reason = "item_available"   // the item is on the shelf: borrow it instead
	ReasonAlreadyBorrowed Reason = "already_borrowed" // the patron has the item on loan
	ReasonOnHold          Reason = "on_hold"          // renewal refused: another patron waits for the item
	ReasonHeldForAnother  Reason = "held_for_another" // the item is on the hold shelf for someone else
	ReasonHoldClosed      Reason = "hold_closed"      // the hold is no longer open
)

// holdHistory is how long a closed hold stays linked to its patron (and in
// the borrowing record) before it is unlinked, for privacy.
const holdHistory = 30 * 24 * time.Hour

// PlaceHold places a hold for the patron with the given ID on the item
// with itemBarcode, at the staff desk. The item must be on loan (or on the
// hold shelf for someone else); refusals: the patron's standing (card
// holder, blocked, expired, fines), ReasonItemNotForLoan,
// ReasonItemAvailable, ReasonAlreadyBorrowed, ReasonHoldExists and
// ReasonHoldLimit (per category: student 5, staff 10 by default).
func (s *Service) PlaceHold(ctx context.Context, by Actor, patronID int64, itemBarcode string) (Hold, error) {
	if err := by.staffOnly(); err != nil {
		return Hold{}, err
	}
	return s.placeHold(ctx, by, patronID, itemBarcode)
}

func (s *Service) placeHold(ctx context.Context, by Actor, patronID int64, itemBarcode string) (Hold, error) {
	var h Hold
	err := s.store.Update(ctx, func(tx Tx) error {
		h = Hold{}
		now := s.now()
		p, err := tx.PatronByID(patronID)
		if err != nil {
			return err
		}
		it, err := tx.ItemByBarcode(NormalizeBarcode(itemBarcode))
		if err != nil {
			return err
		}
		balance, err := tx.FineBalance(p.ID)
		if err != nil {
			return err
		}
		if r := s.cfg.standing(p, s.cfg.Today(now), balance); r != nil {
			return r
		}
		if it.Withdrawn {
			return &Refusal{Reason: ReasonItemNotForLoan}
		}
		holds, err := tx.ItemHolds(it.ID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(holds, func(o Hold) bool { return o.PatronID == p.ID }) {
			return &Refusal{Reason: ReasonHoldExists}
		}
		l, err := tx.OpenLoanForItem(it.ID)
		switch {
		case IsCode(err, ENOTFOUND):
			if len(holds) == 0 || holds[0].State != HoldTrapped {
				return &Refusal{Reason: ReasonItemAvailable}
			}
		case err != nil:
			return err
		case l.PatronID == p.ID:
			return &Refusal{Reason: ReasonAlreadyBorrowed}
		}
		cat, _ := s.cfg.Category(p.Category)
		n, err := tx.CountOpenHolds(p.ID)
		if err != nil {
			return err
		}
		if n >= cat.MaxHolds {
			return &Refusal{Reason: ReasonHoldLimit, Limit: cat.MaxHolds}
		}
		h = Hold{PatronID: p.ID, Item: it, State: HoldWaiting, PlacedAt: now,
			PatronBarcode: p.Barcode, PatronName: p.Name, Position: len(holds) + 1}
		if len(holds) > 0 && holds[0].State == HoldTrapped {
			h.Position = len(holds)
		}
		if err := tx.CreateHold(&h); err != nil {
			if IsCode(err, ECONFLICT) {
				return &Refusal{Reason: ReasonHoldExists}
			}
			return err
		}
		return s.auditBy(tx, by, p.ID, "hold.place", fmt.Sprintf("item %s, queue position %d", it.Barcode, h.Position))
	})
	return h, err
}

// CancelHold cancels an open hold at the staff desk. A trapped hold's item
// is trapped for the next hold in the queue, if any, which is returned
// (nil when none). A hold already closed gives ReasonHoldClosed.
func (s *Service) CancelHold(ctx context.Context, by Actor, holdID int64, reason string) (next *Hold, err error) {
	if err := by.staffOnly(); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	err = s.store.Update(ctx, func(tx Tx) error {
		next = nil
		h, err := tx.HoldByID(holdID)
		if err != nil {
			return err
		}
		if !h.Open() {
			return &Refusal{Reason: ReasonHoldClosed}
		}
		detail := "item " + h.Item.Barcode
		if reason != "" {
			detail += ": " + reason
		}
		next, err = s.cancelHold(tx, by, h, detail)
		return err
	})
	return next, err
}

// cancelHold cancels the open hold h, audited with detail. A trapped
// hold's item is trapped for the next hold in the queue, which is returned
// (nil when none or when h was waiting).
func (s *Service) cancelHold(tx Tx, by Actor, h Hold, detail string) (*Hold, error) {
	wasTrapped := h.State == HoldTrapped
	if err := s.closeHold(tx, &h, HoldCancelled); err != nil {
		return nil, err
	}
	if err := s.auditBy(tx, by, h.PatronID, "hold.cancel", detail); err != nil {
		return nil, err
	}
	if !wasTrapped {
		return nil, nil
	}
	return s.trap(tx, by, h.Item)
}

// closeHold closes h in the given state, now.
func (s *Service) closeHold(tx Tx, h *Hold, state HoldState) error {
	h.State, h.ClosedAt, h.Position = state, s.now(), 0
	if state == HoldFulfilled {
		// The loan now says who has the item; once it is returned nothing
		// should say who asked for it.
		h.PatronID = 0
	}
	return tx.UpdateHold(*h)
}

// trap puts the item on the hold shelf for the first waiting hold in its
// queue, and returns that hold; nil when no one waits.
func (s *Service) trap(tx Tx, by Actor, it Item) (*Hold, error) {
	holds, err := tx.ItemHolds(it.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(holds, func(h Hold) bool { return h.State == HoldWaiting })
	if i < 0 {
		return nil, nil
	}
	h := holds[i]
	now := s.now()
	h.State, h.TrappedAt, h.PickupBy, h.Position = HoldTrapped, now, s.cfg.DueAt(now, s.cfg.HoldShelfDays), 0
	if err := tx.UpdateHold(h); err != nil {
		return nil, err
	}
	err = s.auditBy(tx, by, h.PatronID, "hold.trap",
		fmt.Sprintf("item %s on the hold shelf until %s", it.Barcode, s.cfg.Today(h.PickupBy)))
	return &h, err
}

// fulfilHold closes the patron's open hold on the item, if any, as the item
// is lent to them.
func (s *Service) fulfilHold(tx Tx, by Actor, patronID int64, it Item) error {
	h, err := tx.OpenHold(patronID, it.ID)
	if IsCode(err, ENOTFOUND) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.closeHold(tx, &h, HoldFulfilled); err != nil {
		return err
	}
	return s.auditBy(tx, by, patronID, "hold.fulfil", "item "+it.Barcode)
}

// ExpireHolds expires the trapped holds whose pickup deadline has passed,
// trapping each item for the next hold in its queue, and unlinks holds
// closed long ago from their patrons. It returns how many holds expired.
// Sweep runs it, once per cluster.
func (s *Service) ExpireHolds(ctx context.Context) (int, error) {
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		n = 0
		now := s.now()
		shelf, err := tx.TrappedHolds()
		if err != nil {
			return err
		}
		for _, h := range shelf {
			if now.Before(h.PickupBy) {
				break // by pickup deadline: the rest are later
			}
			if err := s.closeHold(tx, &h, HoldExpired); err != nil {
				return err
			}
			if err := s.auditBy(tx, System, h.PatronID, "hold.expire", "item "+h.Item.Barcode+" not collected"); err != nil {
				return err
			}
			if _, err := s.trap(tx, System, h.Item); err != nil {
				return err
			}
			n++
		}
		_, err = tx.UnlinkClosedHolds(now.Add(-holdHistory))
		return err
	})
	return n, err
}

// ItemHolds returns the open holds on an item for the desk: the trapped
// one first, then the queue in order.
func (s *Service) ItemHolds(ctx context.Context, by Actor, itemID int64) ([]Hold, error) {
	if err := by.staffOnly(); err != nil {
		return nil, err
	}
	var holds []Hold
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		holds, err = tx.ItemHolds(itemID)
		return err
	})
	return holds, err
}

// HoldShelf returns the holds whose items wait on the hold shelf, by
// pickup deadline (the ones to clear first at the top).
func (s *Service) HoldShelf(ctx context.Context, by Actor) ([]Hold, error) {
	if err := by.staffOnly(); err != nil {
		return nil, err
	}
	var holds []Hold
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		holds, err = tx.TrappedHolds()
		return err
	})
	return holds, err
}

// addHolds completes a borrowing record with the patron's holds (open, and
// closed within holdHistory) and refuses renewal of loans others wait for.
func (s *Service) addHolds(tx Tx, rec *Record) error {
	holds, err := tx.PatronHolds(rec.Patron.ID, s.now().Add(-holdHistory))
	if err != nil {
		return err
	}
	held, err := tx.HeldItems(rec.Patron.ID)
	if err != nil {
		return err
	}
	rec.Holds = holds
	for i := range rec.Loans {
		if rec.Loans[i].RenewRefusal == nil && slices.Contains(held, rec.Loans[i].Item.ID) {
			rec.Loans[i].RenewRefusal = &Refusal{Reason: ReasonOnHold}
		}
	}
	return nil
}
