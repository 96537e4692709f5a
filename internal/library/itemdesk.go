package library

import (
	"context"
	"strings"
)

// ItemQuery is a search for items at the desk.
type ItemQuery struct {
	// Text is an item barcode (it matches exactly, after normalising) or
	// part of a title, an author or a call number (any case).
	Text string
	// Offset and Limit choose the page, as in PatronQuery.
	Offset, Limit int
}

// ItemPage is a page of an item search.
type ItemPage struct {
	// Items match the query: an exact barcode match first, then by title.
	// Each has its open loan, if any, and the borrower's barcode.
	Items []ItemStatus
	More  bool
}

// SearchItems searches items by barcode, title, author or call number, a
// page at a time.
func (s *Service) SearchItems(ctx context.Context, by Actor, q ItemQuery) (ItemPage, error) {
	if err := by.staffOnly(); err != nil {
		return ItemPage{}, err
	}
	var err error
	if q.Text, err = searchText(q.Text, "type a barcode, a title, an author or a call number"); err != nil {
		return ItemPage{}, err
	}
	limit := pageLimit(q.Limit)
	q.Limit, q.Offset = limit+1, max(q.Offset, 0)
	var page ItemPage
	err = s.store.View(ctx, func(tx Tx) error {
		found, err := tx.SearchItems(q)
		if len(found) > limit {
			found, page.More = found[:limit], true
		}
		page.Items = found
		return err
	})
	return page, err
}

// ItemFile is everything the desk's item page shows.
type ItemFile struct {
	Status ItemStatus
	// Holds are the open holds: the trapped one first, then the queue.
	Holds []Hold
}

// ItemFile returns the desk's view of the item with the given ID.
func (s *Service) ItemFile(ctx context.Context, by Actor, itemID int64) (ItemFile, error) {
	if err := by.staffOnly(); err != nil {
		return ItemFile{}, err
	}
	var f ItemFile
	err := s.store.View(ctx, func(tx Tx) error {
		f = ItemFile{}
		it, err := tx.ItemByID(itemID)
		if err != nil {
			return err
		}
		f.Status.Item = it
		l, err := tx.OpenLoanForItem(it.ID)
		switch {
		case err == nil:
			f.Status.Loan = l
			p, err := tx.PatronByID(l.PatronID)
			if err != nil {
				return err
			}
			f.Status.PatronBarcode = p.Barcode
		case !IsCode(err, ENOTFOUND):
			return err
		}
		f.Holds, err = tx.ItemHolds(it.ID)
		return err
	})
	return f, err
}

// cleanItem trims an item's fields and checks them.
func cleanItem(it Item) (Item, error) {
	it.Barcode = NormalizeBarcode(it.Barcode)
	it.Title, it.Author = strings.TrimSpace(it.Title), strings.TrimSpace(it.Author)
	it.CallNumber, it.Location = strings.TrimSpace(it.CallNumber), strings.TrimSpace(it.Location)
	switch {
	case it.Barcode == "":
		return it, Errorf(EINVALID, "an item needs a barcode")
	case it.Title == "":
		return it, Errorf(EINVALID, "an item needs a title")
	case strings.ContainsAny(it.Title+it.Author+it.CallNumber+it.Location, "\r\n"):
		return it, Errorf(EINVALID, "an item's fields must each be on one line")
	}
	return it, nil
}

// AddItem adds an item to the collection. A barcode in use gives ECONFLICT.
func (s *Service) AddItem(ctx context.Context, by Actor, it Item) (Item, error) {
	if err := by.staffOnly(); err != nil {
		return Item{}, err
	}
	it, err := cleanItem(it)
	if err != nil {
		return Item{}, err
	}
	it.ID, it.Withdrawn = 0, false
	err = s.store.Update(ctx, func(tx Tx) error {
		it.ID = 0
		if err := tx.CreateItem(&it); err != nil {
			if IsCode(err, ECONFLICT) {
				return Errorf(ECONFLICT, "another item has barcode %s", it.Barcode)
			}
			return err
		}
		return s.auditBy(tx, by, 0, "item.add", "item "+it.Barcode)
	})
	return it, err
}

// EditItem saves the barcode, title, author, call number and location of
// the item with it.ID. Whether it is withdrawn is not changed here.
func (s *Service) EditItem(ctx context.Context, by Actor, it Item) (Item, error) {
	if err := by.staffOnly(); err != nil {
		return Item{}, err
	}
	it, err := cleanItem(it)
	if err != nil {
		return Item{}, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.ItemByID(it.ID)
		if err != nil {
			return err
		}
		it.Withdrawn = cur.Withdrawn
		if it == cur {
			return nil
		}
		if err := tx.UpdateItem(it); err != nil {
			if IsCode(err, ECONFLICT) {
				return Errorf(ECONFLICT, "another item has barcode %s", it.Barcode)
			}
			return err
		}
		detail := "item " + it.Barcode
		if cur.Barcode != it.Barcode {
			detail = "item " + cur.Barcode + ", now " + it.Barcode
		}
		return s.auditBy(tx, by, 0, "item.edit", detail)
	})
	return it, err
}

// WithdrawItem takes an item out of the collection: it can no longer be
// lent or held. An item on loan cannot be withdrawn (ReasonItemOnLoan);
// its open holds are cancelled. Withdrawing a withdrawn item does nothing.
func (s *Service) WithdrawItem(ctx context.Context, by Actor, itemID int64, reason string) error {
	if err := by.staffOnly(); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	return s.store.Update(ctx, func(tx Tx) error {
		it, err := tx.ItemByID(itemID)
		if err != nil {
			return err
		}
		if it.Withdrawn {
			return nil
		}
		if _, err := tx.OpenLoanForItem(it.ID); err == nil {
			return &Refusal{Reason: ReasonItemOnLoan}
		} else if !IsCode(err, ENOTFOUND) {
			return err
		}
		holds, err := tx.ItemHolds(it.ID)
		if err != nil {
			return err
		}
		for _, h := range holds {
			if err := s.closeHold(tx, &h, HoldCancelled); err != nil {
				return err
			}
			if err := s.auditBy(tx, by, h.PatronID, "hold.cancel", "item "+it.Barcode+" withdrawn"); err != nil {
				return err
			}
		}
		it.Withdrawn = true
		if err := tx.UpdateItem(it); err != nil {
			return err
		}
		detail := "item " + it.Barcode
		if reason != "" {
			detail += ": " + reason
		}
		return s.auditBy(tx, by, 0, "item.withdraw", detail)
	})
}
