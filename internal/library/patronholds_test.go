package library_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// A patron places and cancels their own holds (a SIP2 kiosk, My Account)
// under the desk's rules, audited with the entrance's name.
func TestPatronPlaceHold(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		const actor = "sip2:kiosk1"
		kiosk := library.Actor{Name: actor}
		owner := f.patron("20000001", func(p *library.Patron) { p.Category = "staff" })
		student := f.patron("20000002", nil)
		for i := range 6 {
			f.loan(owner, f.item(fmt.Sprintf("3900%03d", i)), f.now, f.now.Add(28*24*time.Hour), 0)
		}
		place := func(p library.Patron, barcode string) (library.Hold, error) {
			return f.svc.PatronPlaceHold(f.ctx, p.ID, barcode, actor)
		}

		h, err := place(student, "3900-000")
		if err != nil || h.State != library.HoldWaiting || h.Position != 1 || h.Item.Barcode != "3900000" {
			t.Fatalf("a hold on a lent item: %+v, %v", h, err)
		}
		f.auditHas("hold.place", student.ID, kiosk)
		rec, _ := f.svc.BorrowingRecord(f.ctx, student.ID)
		if len(rec.Holds) != 1 || rec.Holds[0].ID != h.ID {
			t.Errorf("record after placing: %+v", rec.Holds)
		}

		f.item("3100001")
		_, err = place(student, "3100001")
		wantRefusal(t, "a hold on an item on the shelf", err, library.ReasonItemAvailable)
		_, err = place(student, "3900000")
		wantRefusal(t, "the same hold again", err, library.ReasonHoldExists)
		_, err = place(owner, "3900001")
		wantRefusal(t, "a hold on one's own loan", err, library.ReasonAlreadyBorrowed)
		_, err = place(student, "NOSUCH")
		wantCode(t, "a hold on an unknown item", err, library.ENOTFOUND)
		for i := 1; i < 5; i++ {
			if _, err := place(student, fmt.Sprintf("3900%03d", i)); err != nil {
				t.Fatal(err)
			}
		}
		_, err = place(student, "3900005")
		wantRefusal(t, "a student's sixth hold", err, library.ReasonHoldLimit)
		if r, _ := library.AsRefusal(err); r == nil || r.Limit != 5 {
			t.Errorf("hold limit refusal: %+v", r)
		}
		blocked := f.patron("20000003", func(p *library.Patron) { p.BlockedReason = "x" })
		_, err = place(blocked, "3900005")
		wantRefusal(t, "a blocked patron's hold", err, library.ReasonBlocked)
		holder := f.patron("20000004", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
		_, err = place(holder, "3900005")
		wantRefusal(t, "a card holder's hold", err, library.ReasonNotRegistered)
	})
}

func TestPatronCancelHold(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		const actor = "sip2:kiosk1"
		kiosk := library.Actor{Name: actor}
		desk := f.desk()
		borrower := f.patron("20000001", nil)
		first := f.patron("20000002", nil)
		second := f.patron("20000003", nil)
		stranger := f.patron("20000004", nil)
		it := f.item("3100001")
		f.loan(borrower, it, f.now, f.now.Add(14*24*time.Hour), 0)
		f.item("3100002") // on the shelf, held by no one
		h1, err := f.svc.PatronPlaceHold(f.ctx, first.ID, it.Barcode, actor)
		if err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(time.Minute)
		if _, err := f.svc.PatronPlaceHold(f.ctx, second.ID, it.Barcode, actor); err != nil {
			t.Fatal(err)
		}

		// Someone else's hold and no hold at all get the same refusal.
		cancel := func(p library.Patron, barcode string) error {
			return f.svc.PatronCancelHold(f.ctx, p.ID, barcode, actor)
		}
		wantRefusal(t, "cancelling someone else's hold", cancel(stranger, it.Barcode), library.ReasonNoHold)
		wantRefusal(t, "cancelling a hold on an item no one holds", cancel(first, "3100002"), library.ReasonNoHold)
		wantCode(t, "cancelling a hold on an unknown item", cancel(first, "NOSUCH"), library.ENOTFOUND)
		if queue, _ := f.svc.ItemHolds(f.ctx, desk, it.ID); len(queue) != 2 {
			t.Fatalf("the queue after refused cancellations: %+v", queue)
		}

		// Check-in traps the item for the first hold; the first patron gives
		// it up and it passes to the second.
		ret, err := f.svc.DeskCheckin(f.ctx, desk, it.Barcode)
		if err != nil || ret.Trapped == nil || ret.Trapped.ID != h1.ID {
			t.Fatalf("check-in: %+v, %v", ret.Trapped, err)
		}
		if err := cancel(first, "3100-001"); err != nil {
			t.Fatalf("cancelling one's own trapped hold: %v", err)
		}
		f.auditHas("hold.cancel", first.ID, kiosk)
		f.auditHas("hold.trap", second.ID, kiosk)
		rec, _ := f.svc.BorrowingRecord(f.ctx, first.ID)
		if len(rec.Holds) != 1 || rec.Holds[0].State != library.HoldCancelled {
			t.Errorf("first patron's hold after cancelling: %+v", rec.Holds)
		}
		rec, _ = f.svc.BorrowingRecord(f.ctx, second.ID)
		if len(rec.Holds) != 1 || rec.Holds[0].State != library.HoldTrapped {
			t.Errorf("second patron's hold after the first gave it up: %+v", rec.Holds)
		}
		wantRefusal(t, "cancelling twice", cancel(first, it.Barcode), library.ReasonNoHold)

		// A waiting hold cancelled leaves the item where it is.
		f.loan(borrower, f.item("3100003"), f.now, f.now.Add(14*24*time.Hour), 0)
		if _, err := f.svc.PatronPlaceHold(f.ctx, stranger.ID, "3100003", actor); err != nil {
			t.Fatal(err)
		}
		if err := cancel(stranger, "3100003"); err != nil {
			t.Fatalf("cancelling one's own waiting hold: %v", err)
		}
		if shelf, _ := f.svc.HoldShelf(f.ctx, desk); len(shelf) != 1 || shelf[0].PatronID != second.ID {
			t.Errorf("hold shelf: %+v", shelf)
		}
	})
}
