package sip2_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
)

// openHolds reads the patron's open holds from their borrowing record.
func (l *testLibrary) openHolds(p library.Patron) []library.Hold {
	l.t.Helper()
	rec, err := l.svc.BorrowingRecord(l.ctx, p.ID)
	if err != nil {
		l.t.Fatal(err)
	}
	var open []library.Hold
	for _, h := range rec.Holds {
		if h.Open() {
			open = append(open, h)
		}
	}
	return open
}

func TestHoldPlaceAndCancel(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	borrower := l.patron("20240001", "Chan Tai Man", nil)
	holder := l.patron("20240002", "Wong Siu Ming", nil)
	l.chosenPIN(holder, "correct horse")
	other := l.patron("20240003", "Lee Ka Yan", nil)
	l.patron("20240004", "Card Holder", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
	l.loan(borrower, "B0001", "Call to Arms", today.AddDays(-1), today.AddDays(13))
	l.item("B0002", "Wandering")
	c := l.kiosk()

	// A hold on a lent item, with the right PIN: first in the queue.
	got := c.do(holdReq('+', "20240002", "B0001", "ADcorrect horse|"))
	if got.code != "16" || got.fixed[:2] != "1N" {
		t.Fatalf("place: %q", got.raw)
	}
	got.want(t, "BR", "1")
	got.want(t, "AA", "20240002")
	got.want(t, "AB", "B0001")
	got.want(t, "AJ", "Call to Arms")
	got.wantContains(t, "AF", "number 1 in the queue")
	for _, tag := range []string{"BS", "BW"} {
		if _, ok := got.field(tag); ok {
			t.Errorf("place: %s sent: %q", tag, got.raw)
		}
	}
	if hs := l.openHolds(holder); len(hs) != 1 || hs[0].Item.Barcode != "B0001" {
		t.Errorf("holds after placing: %+v", hs)
	}
	if es := l.audit(holder); len(es) == 0 || es[0].Action != "hold.place" || es[0].Actor != "sip2:"+kioskLogin {
		t.Errorf("audit: %+v", es)
	}
	got = c.do(holdReq('+', "20240003", "B0001", ""))
	got.want(t, "BR", "2")

	// Refusals, with the domain's reasons.
	for _, tt := range []struct{ name, patron, item, fields, af string }{
		{"item on the shelf", "20240002", "B0002", "", "on the shelf: borrow it"},
		{"the same hold again", "20240002", "B0001", "", "already have a hold on this item"},
		{"one's own loan", "20240001", "B0001", "", "on loan already"},
		{"wrong PIN", "20240002", "B0001", "ADwrong horse|", "not right"},
		{"card holder", "20240004", "B0001", "", "register with library staff"},
		{"unknown patron", "29999999", "B0001", "", "card is not recognised"},
		{"unknown item", "20240002", "NOSUCH", "", "item is not recognised"},
	} {
		got := c.do(holdReq('+', tt.patron, tt.item, tt.fields))
		if got.code != "16" || got.fixed[:2] != "0N" {
			t.Errorf("%s: %q", tt.name, got.raw)
		}
		got.wantContains(t, "AF", tt.af)
	}
	got = c.do(holdReq('+', "20240002", "B0002", ""))
	got.want(t, "AJ", "Wandering")
	if hs := l.openHolds(holder); len(hs) != 1 {
		t.Errorf("holds after refusals: %+v", hs)
	}

	// Nothing to change in a hold.
	got = c.do(holdReq('*', "20240002", "B0001", ""))
	if got.fixed[0] != '0' {
		t.Errorf("change: %q", got.raw)
	}
	got.wantContains(t, "AF", "nothing to change")
	got.want(t, "BR", "1")

	// Someone else's hold and none at all: refused, the same answer.
	theirs := c.do(holdReq('-', "20240001", "B0001", ""))
	none := c.do(holdReq('-', "20240001", "B0002", ""))
	for _, got := range []response{theirs, none} {
		if got.fixed[:2] != "0N" {
			t.Errorf("cancel a hold one does not have: %q", got.raw)
		}
		got.wantContains(t, "AF", "you have no hold on this item")
	}
	if a, b := theirs.fields["AF"], none.fields["AF"]; strings.Join(a, "|") != strings.Join(b, "|") {
		t.Errorf("someone else's hold %q and none %q are told apart", a, b)
	}
	if hs := l.openHolds(holder); len(hs) != 1 {
		t.Errorf("the holder's hold after someone else tried to cancel it: %+v", hs)
	}

	// One's own hold is cancelled; the next in the queue moves up.
	got = c.do(holdReq('-', "20240002", "B0001", "ADcorrect horse|"))
	if got.fixed[:2] != "1N" {
		t.Fatalf("cancel: %q", got.raw)
	}
	got.wantContains(t, "AF", "Your hold is cancelled")
	got.want(t, "AJ", "Call to Arms")
	if hs := l.openHolds(holder); len(hs) != 0 {
		t.Errorf("holds after cancelling: %+v", hs)
	}
	if hs := l.openHolds(other); len(hs) != 1 || hs[0].Position != 1 {
		t.Errorf("the next patron's hold: %+v", hs)
	}
	if es := l.audit(holder); len(es) == 0 || es[0].Action != "hold.cancel" || es[0].Actor != "sip2:"+kioskLogin {
		t.Errorf("audit: %+v", es)
	}
	c.do(holdReq('-', "20240002", "B0001", "")).wantContains(t, "AF", "you have no hold on this item")
	c.do(holdReq('x', "20240002", "B0001", "")).wantContains(t, "AF", "not understood")
}

func TestHoldLimit(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	borrower := l.patron("20240001", "Chan Tai Man", nil)
	l.patron("20240002", "Wong Siu Ming", nil)
	for i := range 6 {
		l.loan(borrower, fmt.Sprintf("B%04d", i), "Book "+fmt.Sprint(i), today, today.AddDays(14))
	}
	c := l.kiosk()
	// Patron status position 3 is "hold privileges denied".
	if got := c.do(patronStatusReq("20240002", "")); got.fixed[3] != ' ' {
		t.Errorf("status before any hold: %q", got.raw)
	}
	for i := range 5 {
		if got := c.do(holdReq('+', "20240002", fmt.Sprintf("B%04d", i), "")); got.fixed[0] != '1' {
			t.Fatalf("hold %d: %q", i+1, got.raw)
		}
	}
	if got := c.do(patronStatusReq("20240002", "")); got.fixed[3] != 'Y' || got.fixed[0] != ' ' {
		t.Errorf("status at the hold limit: %q, want hold privileges denied and charging allowed", got.raw)
	}
	got := c.do(holdReq('+', "20240002", "B0005", ""))
	if got.fixed[:2] != "0N" {
		t.Errorf("sixth hold: %q", got.raw)
	}
	got.wantContains(t, "AF", "you already have 5 holds, the limit")
	got.want(t, "AJ", "Book 5")

	// In Chinese when the patron session asked for it.
	c.do(patronInfoReq("019", "          ", "20240002", ""))
	c.do(holdReq('+', "20240002", "B0005", "")).wantContains(t, "AF", "已達上限")
}

// Patron Information counts and lists holds: every hold as a hold item
// (AS, as Evergreen and Koha count them), those ready on the hold shelf
// first, and those still waiting in the queue as unavailable too (CD).
// A SIP2 check-in traps an item: its hold is then ready.
func TestPatronInformationHolds(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	l.cardOnlyKiosk()
	borrower := l.patron("20240001", "Chan Tai Man", nil)
	l.patron("20240002", "Wong Siu Ming", nil)
	l.patron("20240003", "Lee Ka Yan", nil)
	l.loan(borrower, "B0001", "Call to Arms", today.AddDays(-1), today.AddDays(13))
	l.loan(borrower, "B0003", "Old Tales Retold", today.AddDays(-1), today.AddDays(13))
	c := l.kiosk()
	for _, req := range []string{
		holdReq('+', "20240002", "B0001", ""),
		holdReq('+', "20240002", "B0003", ""),
		holdReq('+', "20240003", "B0001", ""),
	} {
		if got := c.do(req); got.fixed[0] != '1' {
			t.Fatalf("%q: %q", req, got.raw)
		}
	}
	// counts: hold items, overdue, charged, fine, recall, unavailable holds
	info := func(summary, fields string) response {
		t.Helper()
		got := c.do(patronInfoReq("001", summary, "20240002", fields))
		if got.code != "64" {
			t.Fatalf("%q", got.raw)
		}
		return got
	}
	got := info("     Y    ", "")
	if counts := got.fixed[35:59]; counts != "000200000000000000000002" {
		t.Errorf("counts while waiting %q", counts)
	}
	got.want(t, "BZ", "0005")
	if cd := strings.Join(got.fields["CD"], ","); cd != "B0003,B0001" {
		t.Errorf("unavailable hold items %q", cd)
	}
	if cd := strings.Join(info("     Y    ", "BP2|BQ2|").fields["CD"], ","); cd != "B0001" {
		t.Errorf("unavailable hold items 2..2: %q", cd)
	}
	if as := strings.Join(info("Y         ", "").fields["AS"], ","); as != "B0003,B0001" {
		t.Errorf("hold items while waiting: %q", as)
	}

	// The return through SIP2 traps the item: alert, hold for this library.
	got = c.do(checkinReq("B0001"))
	if got.fixed[:4] != "1YUY" {
		t.Errorf("checkin of a held item: %q", got.raw)
	}
	got.want(t, "CV", "01")
	got.wantContains(t, "AF", "Another reader is waiting for it")

	// 18 says the item waits on the hold shelf, with two holds on it,
	// and names no one.
	got = c.do("17" + sipDate() + "AO" + institution + "|ABB0001|")
	if got.fixed[:2] != "08" {
		t.Errorf("item information of a trapped item: %q, want status 08", got.raw)
	}
	got.want(t, "CF", "2")
	if strings.Contains(got.raw, "20240002") || strings.Contains(got.raw, "20240003") {
		t.Errorf("item information names a patron: %q", got.raw)
	}

	got = info("Y         ", "")
	if counts := got.fixed[35:59]; counts != "000200000000000000000001" {
		t.Errorf("counts after the check-in %q", counts)
	}
	if as := strings.Join(got.fields["AS"], ","); as != "B0001,B0003" {
		t.Errorf("hold items after the check-in %q, want the ready one first", as)
	}
	if as := strings.Join(info("Y         ", "BP2|BQ2|").fields["AS"], ","); as != "B0003" {
		t.Errorf("hold items 2..2 after the check-in %q", as)
	}
	if cd := strings.Join(info("     Y    ", "").fields["CD"], ","); cd != "B0003" {
		t.Errorf("unavailable hold items after the check-in %q", cd)
	}
	// The 16 of the trapped hold says it is available and until when.
	got = c.do(holdReq('*', "20240002", "B0001", ""))
	if got.fixed[:2] != "0Y" {
		t.Errorf("trapped hold: %q", got.raw)
	}
	got.want(t, "BW", "20261205    235959")

	// Cancelling the trapped hold passes the item to the next patron.
	if got := c.do(holdReq('-', "20240002", "B0001", "")); got.fixed[0] != '1' {
		t.Fatalf("cancel the trapped hold: %q", got.raw)
	}
	got = c.do(patronInfoReq("001", "Y         ", "20240003", ""))
	if counts := got.fixed[35:59]; counts != "000100000000000000000000" {
		t.Errorf("next patron's counts %q", counts)
	}
	got.want(t, "AS", "B0001")
}
