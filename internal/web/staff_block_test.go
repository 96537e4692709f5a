package web_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// TestBlockMessageToldToPatron proves a block made at the desk with one of
// the library's reasons, ticked to be shown, tells the patron on My
// Account what is wrong and the way out (in English and Chinese), never
// the staff's own reason; that the check-out desk shows both; and that a
// message not ticked leaves the patron the neutral "contact library
// staff" while staff still see it.
func TestBlockMessageToldToPatron(t *testing.T) {
	l := newLibrary(t, nil)
	desk := l.staffClient(l.staff("dee", library.RoleDesk))
	told := l.patron("25017342", "Lam Chi Ho", nil)
	l.chosenPIN(told, "reading-room-7")
	quiet := l.patron("25017343", "Ho Ka Yan", nil)
	l.chosenPIN(quiet, "reading-room-8")
	purl := func(p library.Patron) string { return "/staff/patrons/" + strconv.FormatInt(p.ID, 10) }

	page := desk.get(purl(told))
	mustContain(t, text(page.body), "Message for the patron", "Lost item not yet replaced", "Replace or pay for the lost item at the Circulation Counter.",
		"Show this message to the patron")
	res := desk.submit(page.body, purl(told)+"/block", "block_reason", "Lost Fortress Besieged on 12 Nov", "block_message", library.BlockLostItem, "block_shown", "on")
	if res.status != http.StatusSeeOther {
		t.Fatalf("block: %d\n%s", res.status, text(res.body))
	}
	got := l.patronNow(told.ID)
	if got.BlockedReason != "Lost Fortress Besieged on 12 Nov" || got.BlockNotice != (library.BlockNotice{Reason: library.BlockLostItem, Shown: true}) {
		t.Fatalf("stored block %q %+v", got.BlockedReason, got.BlockNotice)
	}
	mustContain(t, text(desk.get(purl(told)).body), "The patron is told: An item you borrowed is recorded as lost")

	reader := l.client()
	reader.mustSignIn(told.Barcode, "reading-room-7", "/account")
	record := text(reader.get("/account").body)
	mustContain(t, record, "An item you borrowed is recorded as lost and has not yet been replaced or paid for.",
		"What to do: Replace or pay for the lost item at the Circulation Counter.")
	mustNotContain(t, record, "Fortress Besieged", "Please contact library staff on")
	reader.header.Set("Accept-Language", "zh-HK")
	mustContain(t, text(reader.get("/account").body), "你借閱的一項資料已登記為遺失", "請到流通服務台賠償或支付遺失資料的費用。")

	// The check-out desk: the staff's reason and what the patron is told.
	co := text(desk.get("/staff/checkout?patron=" + told.Barcode).body)
	mustContain(t, co, "the patron is blocked: Lost Fortress Besieged on 12 Nov",
		"The patron is told: An item you borrowed is recorded as lost and has not yet been replaced or paid for. Replace or pay for the lost item")

	// Staff's own words, not ticked: the patron is not told them.
	res = desk.submit(desk.get(purl(quiet)).body, purl(quiet)+"/block", "block_reason", "Argued with the guard",
		"block_message", "own", "block_text", "Please see the Head of Circulation.", "block_shown", "")
	if res.status != http.StatusSeeOther {
		t.Fatalf("block without showing: %d\n%s", res.status, text(res.body))
	}
	reader2 := l.client()
	reader2.mustSignIn(quiet.Barcode, "reading-room-8", "/account")
	record = text(reader2.get("/account").body)
	mustContain(t, record, "Your account has a block, so you cannot borrow or renew. Please contact library staff on 2265-6918")
	mustNotContain(t, record, "Head of Circulation", "Argued")
	mustContain(t, text(desk.get("/staff/checkout?patron="+quiet.Barcode).body),
		"the patron is blocked: Argued with the guard", "Not shown to the patron", "Please see the Head of Circulation.")
}

// TestBlockFormRefusesBadMessages proves a block form with a message that
// is missing or not one of the library's gets a clear message beside its
// field and blocks no one.
func TestBlockFormRefusesBadMessages(t *testing.T) {
	l := newLibrary(t, nil)
	desk := l.staffClient(l.staff("dee", library.RoleDesk))
	p := l.patron("25017342", "Lam Chi Ho", nil)
	purl := "/staff/patrons/" + strconv.FormatInt(p.ID, 10)
	for _, tt := range []struct {
		kv   []string
		want string
	}{
		{[]string{"block_reason", "x", "block_message", "own", "block_text", " "}, "Write the message for the patron, or choose another"},
		{[]string{"block_reason", "x", "block_message", "no_such_reason"}, "Choose one of the messages listed"},
		{[]string{"block_reason", "", "block_message", ""}, "Give the reason for the block"},
	} {
		res := desk.submit(desk.get(purl).body, purl+"/block", tt.kv...)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d, want 422", tt.kv, res.status)
		}
		mustContain(t, text(res.body), tt.want)
		if got := l.patronNow(p.ID); got.BlockedReason != "" || !got.BlockNotice.IsZero() {
			t.Errorf("%v: blocked: %+v", tt.kv, got)
		}
	}
}
