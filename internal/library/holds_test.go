package library_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// Holds queue by the time they were placed; check-in traps the item for
// the first; only that patron may borrow it; renewal is refused while
// someone waits; the trapped hold expires after the shelf days and the
// next in the queue gets the item.
func TestHoldQueueTrapAndExpiry(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		loc := f.svc.Config().Location()
		borrower := f.patron("20000001", nil)
		first := f.patron("20000002", nil)
		second := f.patron("20000003", nil)
		it := f.item("3100001")
		l := f.loan(borrower, it, f.now.Add(-24*time.Hour), f.now.Add(13*24*time.Hour), 0)

		place := func(p library.Patron) (library.Hold, error) {
			return f.svc.PlaceHold(f.ctx, desk, p.ID, "3100-001")
		}
		h1, err := place(first)
		if err != nil || h1.Position != 1 || h1.State != library.HoldWaiting {
			t.Fatalf("first hold: %+v, %v", h1, err)
		}
		f.now = f.now.Add(time.Minute)
		h2, err := place(second)
		if err != nil || h2.Position != 2 {
			t.Fatalf("second hold: %+v, %v", h2, err)
		}
		_, err = place(first)
		wantRefusal(t, "the same hold again", err, library.ReasonHoldExists)
		_, err = place(borrower)
		wantRefusal(t, "a hold on one's own loan", err, library.ReasonAlreadyBorrowed)
		f.item("3100002")
		_, err = f.svc.PlaceHold(f.ctx, desk, first.ID, "3100002")
		wantRefusal(t, "a hold on an item on the shelf", err, library.ReasonItemAvailable)

		// The borrower cannot renew while others wait; the record says why.
		out, err := f.svc.Renew(f.ctx, borrower.ID, []int64{l.ID}, "patron")
		if err != nil || out[0].Renewed || out[0].Refusal == nil || out[0].Refusal.Reason != library.ReasonOnHold {
			t.Errorf("renewing a held item: %+v, %v", out, err)
		}
		rec, _ := f.svc.BorrowingRecord(f.ctx, borrower.ID)
		if r := rec.Loans[0].RenewRefusal; r == nil || r.Reason != library.ReasonOnHold {
			t.Errorf("borrowing record of the held loan: %+v", r)
		}
		rec, _ = f.svc.BorrowingRecord(f.ctx, second.ID)
		if len(rec.Holds) != 1 || rec.Holds[0].State != library.HoldWaiting || rec.Holds[0].Position != 2 {
			t.Errorf("second patron's record: holds %+v", rec.Holds)
		}

		// Check-in traps the item for the first hold.
		ret, err := f.svc.DeskCheckin(f.ctx, desk, it.Barcode)
		if err != nil {
			t.Fatal(err)
		}
		if ret.Trapped == nil || ret.Trapped.ID != h1.ID || ret.Trapped.PatronBarcode != first.Barcode {
			t.Fatalf("check-in trapped %+v, want the first hold", ret.Trapped)
		}
		// Seven days on the shelf, to the end of an open day: 5 December 2026 is a Saturday.
		if want := time.Date(2026, 12, 5, 23, 59, 59, 0, loc); !ret.Trapped.PickupBy.Equal(want) {
			t.Errorf("pickup by %v, want %v", ret.Trapped.PickupBy, want)
		}
		f.auditHas("hold.trap", first.ID, desk)
		_, err = f.svc.DeskCheckout(f.ctx, desk, library.CheckoutRequest{PatronBarcode: second.Barcode, ItemBarcode: it.Barcode})
		wantRefusal(t, "lending a trapped item to another patron", err, library.ReasonHeldForAnother)
		_, err = f.svc.DeskCheckout(f.ctx, f.admin(), library.CheckoutRequest{PatronBarcode: second.Barcode, ItemBarcode: it.Barcode, Override: "asked nicely"})
		wantRefusal(t, "overriding a trapped item", err, library.ReasonHeldForAnother)
		rec, _ = f.svc.BorrowingRecord(f.ctx, first.ID)
		if len(rec.Holds) != 1 || rec.Holds[0].State != library.HoldTrapped {
			t.Errorf("first patron's record: %+v", rec.Holds)
		}
		shelf, _ := f.svc.HoldShelf(f.ctx, desk)
		if len(shelf) != 1 || shelf[0].ID != h1.ID {
			t.Errorf("hold shelf: %+v", shelf)
		}

		// Not collected in time: the hold expires, the next one is trapped.
		f.now = time.Date(2026, 12, 5, 23, 0, 0, 0, loc)
		if n, err := f.svc.ExpireHolds(f.ctx); n != 0 || err != nil {
			t.Errorf("before the deadline: %d expired, %v", n, err)
		}
		f.now = time.Date(2026, 12, 6, 0, 0, 1, 0, loc)
		if err := f.svc.Sweep(f.ctx); err != nil {
			t.Fatal(err)
		}
		rec, _ = f.svc.BorrowingRecord(f.ctx, first.ID)
		if len(rec.Holds) != 1 || rec.Holds[0].State != library.HoldExpired {
			t.Errorf("first patron's hold after the deadline: %+v", rec.Holds)
		}
		f.auditHas("hold.expire", first.ID, library.System)
		rec, _ = f.svc.BorrowingRecord(f.ctx, second.ID)
		if len(rec.Holds) != 1 || rec.Holds[0].State != library.HoldTrapped {
			t.Errorf("second patron's hold after the first expired: %+v", rec.Holds)
		}
		_, err = f.svc.DeskCheckout(f.ctx, desk, library.CheckoutRequest{PatronBarcode: first.Barcode, ItemBarcode: it.Barcode})
		wantRefusal(t, "lending to the patron whose hold expired", err, library.ReasonHeldForAnother)
		loan, err := f.svc.DeskCheckout(f.ctx, desk, library.CheckoutRequest{PatronBarcode: second.Barcode, ItemBarcode: it.Barcode})
		if err != nil || loan.PatronID != second.ID {
			t.Fatalf("lending to the hold's patron: %v", err)
		}
		f.auditHas("hold.fulfil", second.ID, desk)
		shelf, _ = f.svc.HoldShelf(f.ctx, desk)
		if len(shelf) != 0 {
			t.Errorf("hold shelf after pickup: %+v", shelf)
		}
		rec, _ = f.svc.BorrowingRecord(f.ctx, second.ID)
		if len(rec.Holds) != 0 {
			t.Errorf("a fulfilled hold stays linked to its patron: %+v", rec.Holds)
		}

		// Closed holds are unlinked from their patrons after 30 days.
		f.now = f.now.Add(31 * 24 * time.Hour)
		if err := f.svc.Sweep(f.ctx); err != nil {
			t.Fatal(err)
		}
		rec, _ = f.svc.BorrowingRecord(f.ctx, first.ID)
		if len(rec.Holds) != 0 {
			t.Errorf("an expired hold still in the record after 30 days: %+v", rec.Holds)
		}
	})
}

// Hold limits per category, and the standing refusals.
func TestHoldLimitsAndRefusals(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		owner := f.patron("20000001", func(p *library.Patron) { p.Category = "staff" })
		student := f.patron("20000002", nil)
		staff := f.patron("S0001", func(p *library.Patron) { p.Category = "staff" })
		for i := range 12 {
			it := f.item(fmt.Sprintf("3900%03d", i))
			f.loan(owner, it, f.now, f.now.Add(28*24*time.Hour), 0)
		}
		hold := func(p library.Patron, i int) error {
			_, err := f.svc.PlaceHold(f.ctx, desk, p.ID, fmt.Sprintf("3900%03d", i))
			return err
		}
		for i := range 5 {
			if err := hold(student, i); err != nil {
				t.Fatal(err)
			}
		}
		err := hold(student, 5)
		wantRefusal(t, "a student's sixth hold", err, library.ReasonHoldLimit)
		if r, _ := library.AsRefusal(err); r == nil || r.Limit != 5 {
			t.Errorf("hold limit refusal: %+v", r)
		}
		for i := range 10 {
			if err := hold(staff, i); err != nil {
				t.Fatal(err)
			}
		}
		wantRefusal(t, "staff's eleventh hold", hold(staff, 10), library.ReasonHoldLimit)

		blocked := f.patron("20000003", func(p *library.Patron) { p.BlockedReason = "x" })
		wantRefusal(t, "a blocked patron's hold", hold(blocked, 0), library.ReasonBlocked)
		holder := f.patron("20000004", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
		wantRefusal(t, "a card holder's hold", hold(holder, 0), library.ReasonNotRegistered)

		// Cancelling frees a place; a cancelled hold cannot be cancelled again.
		rec, _ := f.svc.BorrowingRecord(f.ctx, student.ID)
		if len(rec.Holds) != 5 {
			t.Fatalf("student's holds: %d", len(rec.Holds))
		}
		if _, err := f.svc.CancelHold(f.ctx, desk, rec.Holds[0].ID, "patron asked"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.CancelHold(f.ctx, desk, rec.Holds[0].ID, "again")
		wantRefusal(t, "cancelling twice", err, library.ReasonHoldClosed)
		if err := hold(student, 5); err != nil {
			t.Errorf("a hold after cancelling one: %v", err)
		}
		f.auditHas("hold.cancel", student.ID, desk)
		f.auditHas("hold.place", student.ID, desk)

		// A trapped hold cancelled passes the item to the next in the queue.
		ret, err := f.svc.DeskCheckin(f.ctx, desk, "3900001")
		if err != nil || ret.Trapped == nil || ret.Trapped.PatronID != student.ID {
			t.Fatalf("check-in: %+v, %v", ret.Trapped, err)
		}
		next, err := f.svc.CancelHold(f.ctx, desk, ret.Trapped.ID, "")
		if err != nil || next == nil || next.PatronID != staff.ID || next.State != library.HoldTrapped {
			t.Errorf("after cancelling the trapped hold: %+v, %v", next, err)
		}
		queue, _ := f.svc.ItemHolds(f.ctx, desk, ret.Loan.Item.ID)
		if len(queue) != 1 || queue[0].PatronID != staff.ID {
			t.Errorf("item queue: %+v", queue)
		}
	})
}

func TestItems(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		add := func(barcode, title, author, call string) library.Item {
			it, err := f.svc.AddItem(f.ctx, desk, library.Item{Barcode: barcode, Title: title, Author: author, CallNumber: call, Location: "Main Library"})
			if err != nil {
				t.Fatal(err)
			}
			return it
		}
		a := add("c-0001", "Call to Arms", "Lu Xun", "PL2754 .S5 N3")
		add("C0002", "Half of Man is Woman", "Zhang Xianliang", "PL2919 .H7")
		add("C0003", "The Art of Computer Programming", "Knuth, Donald", "QA76.6 .K64")
		if a.Barcode != "C0001" {
			t.Errorf("barcode stored as %q", a.Barcode)
		}
		_, err := f.svc.AddItem(f.ctx, desk, library.Item{Barcode: "C0001", Title: "Again"})
		wantCode(t, "a barcode in use", err, library.ECONFLICT)
		_, err = f.svc.AddItem(f.ctx, desk, library.Item{Barcode: "C0009"})
		wantCode(t, "no title", err, library.EINVALID)

		search := func(text string) []string {
			page, err := f.svc.SearchItems(f.ctx, desk, library.ItemQuery{Text: text})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, st := range page.Items {
				got = append(got, st.Item.Barcode)
			}
			return got
		}
		for text, want := range map[string]string{"lu xun": "[C0001]", "QA76": "[C0003]", "man": "[C0002]", "c0002": "[C0002]", "pl2": "[C0001 C0002]"} {
			if got := fmt.Sprint(search(text)); got != want {
				t.Errorf("search %q: %s, want %s", text, got, want)
			}
		}

		a.Title = "Call to Arms (Nahan)"
		if _, err := f.svc.EditItem(f.ctx, desk, a); err != nil {
			t.Fatal(err)
		}
		if got := search("nahan"); len(got) != 1 {
			t.Errorf("after editing the title: %v", got)
		}
		p := f.patron("21034567", nil)
		if _, err := f.svc.DeskCheckout(f.ctx, desk, library.CheckoutRequest{PatronBarcode: p.Barcode, ItemBarcode: "C0001"}); err != nil {
			t.Fatal(err)
		}
		page, _ := f.svc.SearchItems(f.ctx, desk, library.ItemQuery{Text: "C0001"})
		if !page.Items[0].OnLoan() || page.Items[0].PatronBarcode != p.Barcode {
			t.Errorf("search shows %+v, want on loan to %s", page.Items[0], p.Barcode)
		}
		wantRefusal(t, "withdrawing an item on loan", f.svc.WithdrawItem(f.ctx, desk, a.ID, "worn out"), library.ReasonItemOnLoan)
		f.svc.DeskCheckin(f.ctx, desk, "C0001")
		if err := f.svc.WithdrawItem(f.ctx, desk, a.ID, "worn out"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.DeskCheckout(f.ctx, desk, library.CheckoutRequest{PatronBarcode: p.Barcode, ItemBarcode: "C0001"})
		wantRefusal(t, "lending a withdrawn item", err, library.ReasonItemNotForLoan)
		f.auditHas("item.withdraw", 0, desk)
		f.auditHas("item.add", 0, desk)
		f.auditHas("item.edit", 0, desk)
		if _, err := f.svc.AddItem(f.ctx, library.Actor{Name: "patron"}, library.Item{Barcode: "X1", Title: "x"}); !errors.Is(err, library.ErrForbidden) {
			t.Errorf("a non-staff actor adding an item: %v", err)
		}
	})
}

// The audit log: filtered by patron, actor, action and time, a page at a
// time, newest first.
func TestSearchAudit(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		admin, desk := f.admin(), f.desk()
		p := f.patron("21034567", nil)
		q := f.patron("21034568", nil)
		start := f.now
		for i := range 5 {
			f.now = start.Add(time.Duration(i) * time.Hour)
			f.svc.BlockPatron(f.ctx, desk, p.ID, fmt.Sprint("reason ", i))
		}
		f.svc.ResetPIN(f.ctx, admin, q.ID, "")
		search := func(flt library.AuditFilter) library.AuditPage {
			page, err := f.svc.SearchAudit(f.ctx, desk, flt)
			if err != nil {
				t.Fatal(err)
			}
			return page
		}
		if got := search(library.AuditFilter{PatronID: p.ID}); len(got.Entries) != 5 || got.Entries[0].Detail != "reason 4" {
			t.Errorf("by patron: %+v", got.Entries)
		}
		if got := search(library.AuditFilter{Actor: "staff:ada"}); len(got.Entries) != 1 || got.Entries[0].Action != "pin.reset" {
			t.Errorf("by actor: %+v", got.Entries)
		}
		if got := search(library.AuditFilter{Action: "pin."}); len(got.Entries) != 1 {
			t.Errorf("by action prefix: %+v", got.Entries)
		}
		if got := search(library.AuditFilter{Action: "patron.block", From: start.Add(time.Hour), Until: start.Add(3 * time.Hour)}); len(got.Entries) != 2 {
			t.Errorf("by action and time: %+v", got.Entries)
		}
		first := search(library.AuditFilter{PatronID: p.ID, Limit: 3})
		if len(first.Entries) != 3 || first.Next == 0 {
			t.Fatalf("first page: %+v", first)
		}
		second := search(library.AuditFilter{PatronID: p.ID, Limit: 3, BeforeID: first.Next})
		if len(second.Entries) != 2 || second.Next != 0 || second.Entries[1].Detail != "reason 0" {
			t.Errorf("second page: %+v", second)
		}
		for _, e := range first.Entries {
			if e.Addr != desk.Addr {
				t.Errorf("entry %q without the client address: %q", e.Action, e.Addr)
			}
		}
		_, err := f.svc.SearchAudit(f.ctx, desk, library.AuditFilter{From: start, Until: start})
		wantCode(t, "an empty period", err, library.EINVALID)
	})
}
