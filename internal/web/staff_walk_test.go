package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// TestStaffWalk follows a day at the desk end to end on a real server: a
// librarian signs in, registers a card holder, who signs in with the preset
// and must change it; the patron forgets the PIN and staff reset it; the
// old PIN fails and the temporary one works once and forces a change; two
// items are lent, one comes back late and is fined, another patron holds
// the other, whose check-in traps it; and the audit log shows each step.
func TestStaffWalk(t *testing.T) {
	l := newLibrary(t, nil)
	l.staff("ada", library.RoleAdmin)
	holder := l.patron("25017342", "Lam Chi Ho", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
	waiter := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(waiter, "reading-room-7")

	c := l.client()
	if res := c.get("/staff"); res.status != http.StatusSeeOther || res.location() != "/staff/login" {
		t.Fatalf("desk without signing in: %d to %q", res.status, res.location())
	}
	mustContain(t, text(c.get("/staff/login").body), "Staff sign-in", "Username", "Password")
	if res := c.staffSignIn("ada", "wrong-password-123"); res.status != http.StatusUnauthorized {
		t.Errorf("wrong staff password: %d", res.status)
	}
	c.mustStaffSignIn("ADA ", adminPassword)
	home := c.get("/staff")
	mustContain(t, text(home.body), "Staff desk", "Find a patron", "Staff ada (admin)", "Log out")

	// Two items added at the desk.
	for _, it := range [][2]string{{"30000001", "Introduction to Algorithms"}, {"30000002", "Gödel, Escher, Bach"}} {
		page := c.get("/staff/items/new")
		res := c.submit(page.body, "/staff/items", "barcode", it[0], "title", it[1], "author", "An Author", "call_number", "QA76", "location", "3/F")
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/staff/items/") {
			t.Fatalf("add item %s: %d to %q\n%s", it[0], res.status, res.location(), text(res.body))
		}
		mustContain(t, text(c.get(res.location()).body), "The item is added.", it[1], "On the shelf")
	}

	// A scan of the card finds the card holder, who is registered.
	res := c.get("/staff/patrons?q=" + url.QueryEscape("2501 7342"))
	patronURL := "/staff/patrons/" + strconv.FormatInt(holder.ID, 10)
	if res.status != http.StatusSeeOther || res.location() != patronURL {
		t.Fatalf("scan a patron card: %d to %q", res.status, res.location())
	}
	page := c.get(patronURL)
	mustContain(t, text(page.body), "Lam Chi Ho", "Card holder: not registered", "Complete registration",
		"card holder only: registration (students) or the library application (staff) is not complete")
	res = c.confirmStep(c.submit(page.body, patronURL+"/register"), patronURL+"/register")
	if res.status != http.StatusSeeOther {
		t.Fatalf("register: %d\n%s", res.status, text(res.body))
	}
	page = c.get(res.location())
	mustContain(t, text(page.body), "Registration is complete. The first PIN is the patron barcode", "Active",
		"the preset PIN (must be changed at first sign-in)")
	// The same registration sent again changes nothing and says so.
	res = c.post(patronURL+"/register", url.Values{"csrf": {csrf(t, page.body)}})
	mustContain(t, text(c.get(res.location()).body), "already registered")

	// The patron signs in with the preset, and must change it first.
	pc := l.client()
	pc.mustSignIn("25017342", "25017342", "/account/password")
	token := csrf(t, pc.get("/account/password").body)
	res = pc.post("/account/password", url.Values{"csrf": {token}, "old_pin": {"25017342"}, "new_pin": {"green-tea-window-5"}, "confirm_pin": {"green-tea-window-5"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("patron changes the preset: %d\n%s", res.status, text(res.body))
	}

	// The PIN is forgotten: staff reset it and the slip shows a temporary PIN once.
	page = c.get(patronURL)
	mustContain(t, text(page.body), "chosen by the patron")
	res = c.post(patronURL+"/reset-pin", form(t, page.body, patronURL+"/reset-pin"))
	mustContain(t, text(res.body), "Reset the PIN of Lam Chi Ho (25017342)?", "signed out everywhere")
	resetForm := form(t, res.body, patronURL+"/reset-pin")
	res = c.post(patronURL+"/reset-pin", resetForm)
	if res.status != http.StatusOK {
		t.Fatalf("reset PIN: %d\n%s", res.status, text(res.body))
	}
	temp := pinOnSlip(t, res.body)
	mustContain(t, text(res.body), "Temporary PIN", "Lam Chi Ho", "25017342", "once, until 5 Dec 2026 10:00",
		"shown only this once", "Print slip")
	if len(temp) != library.RandomPINLength {
		t.Errorf("temporary PIN %q", temp)
	}
	// Sent twice (a reload): not reset again, and the PIN is not shown again.
	again := c.post(patronURL+"/reset-pin", resetForm)
	if again.status != http.StatusConflict {
		t.Errorf("reset sent twice: %d", again.status)
	}
	mustContain(t, text(again.body), "already carried out")
	mustNotContain(t, again.body, temp)

	// The old PIN fails at once; the temporary one works once and forces a change.
	if res := l.client().signIn("25017342", "green-tea-window-5"); res.status != http.StatusUnauthorized {
		t.Errorf("old PIN after reset: %d", res.status)
	}
	pc = l.client()
	pc.mustSignIn("25017342", strings.ToLower(temp), "/account/password")
	if res := pc.get("/account"); res.status != http.StatusSeeOther || res.location() != "/account/password" {
		t.Errorf("record with a temporary PIN: %d to %q", res.status, res.location())
	}
	if res := l.client().signIn("25017342", temp); res.status != http.StatusUnauthorized {
		t.Errorf("temporary PIN a second time: %d", res.status)
	}
	token = csrf(t, pc.get("/account/password").body)
	res = pc.post("/account/password", url.Values{"csrf": {token}, "old_pin": {temp}, "new_pin": {"harbour-view-2026"}, "confirm_pin": {"harbour-view-2026"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change the temporary PIN: %d\n%s", res.status, text(res.body))
	}
	l.client().mustSignIn("25017342", "harbour-view-2026", "/account")

	// Check out two items by scanning: the patron's card, then each item.
	mustContain(t, text(c.get("/staff/checkout").body), "Patron barcode")
	res = c.get("/staff/checkout?" + url.Values{"patron": {"25017342"}}.Encode())
	mustContain(t, text(res.body), "Lam Chi Ho", "0 of 10 items on loan", "Item barcode")
	first := c.submit(res.body, "/staff/checkout", "item", "30000001")
	if got := latestScan(t, first.body); got != "✓ Done: Lent: Introduction to Algorithms (30000001), due 12 Dec 2026." {
		t.Errorf("first scan: %q", got)
	}
	second := c.submit(first.body, "/staff/checkout", "item", "3000-0002")
	if got := latestScan(t, second.body); got != "✓ Done: Lent: Gödel, Escher, Bach (30000002), due 12 Dec 2026." {
		t.Errorf("second scan: %q", got)
	}
	mustContain(t, text(second.body), "2 of 10 items on loan", "Lent: Introduction to Algorithms")
	// The second scan's form sent again (a double Enter) lends nothing twice.
	dup := c.submit(first.body, "/staff/checkout", "item", "3000-0002")
	mustContain(t, latestScan(t, dup.body), "Already done: Gödel, Escher, Bach (30000002) was lent once")
	if n := len(l.openLoans(holder)); n != 2 {
		t.Fatalf("%d loans after two scans and a double submission, want 2", n)
	}

	// Twenty days later the staff session is long over.
	l.now = l.now.Add(20 * 24 * time.Hour)
	if res := c.get("/staff/checkin"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/staff/login") {
		t.Fatalf("desk after 20 days: %d to %q", res.status, res.location())
	}
	c.mustStaffSignIn("ada", adminPassword)

	// One item comes back late: 6 days overdue, HKD 1.00 a day.
	page = c.get("/staff/checkin")
	res = c.submit(page.body, "/staff/checkin", "item", "30000001")
	if got := latestScan(t, res.body); got != "✓ Done: Returned: Introduction to Algorithms (30000001). Overdue fine of HKD 6.00 charged to patron 25017342." {
		t.Errorf("late check-in: %q", got)
	}
	if b := l.balance(holder); b != 600 {
		t.Errorf("balance %s after a late return, want HKD 6.00", b)
	}
	// Scanned again: not on loan, nothing charged twice.
	again = c.submit(res.body, "/staff/checkin", "item", "30000001")
	mustContain(t, latestScan(t, again.body), "is not on loan")
	if b := l.balance(holder); b != 600 {
		t.Errorf("balance %s after a second scan", b)
	}

	// Another patron places a hold on the item still out.
	waiterURL := "/staff/patrons/" + strconv.FormatInt(waiter.ID, 10)
	page = c.get(waiterURL)
	res = c.submit(page.body, waiterURL+"/holds", "item_barcode", "30000002")
	if res.status != http.StatusSeeOther {
		t.Fatalf("place hold: %d\n%s", res.status, text(res.body))
	}
	mustContain(t, text(c.get(res.location()).body), "The hold is placed.", "waiting in line: number 1")

	// Its check-in traps it for them.
	res = c.submit(c.get("/staff/checkin").body, "/staff/checkin", "item", "30000002")
	want := "⚑ Hold: Returned: Gödel, Escher, Bach (30000002). Overdue fine of HKD 6.00 charged to patron 25017342. " +
		"Put it on the hold shelf for Chan Tai Man (24062953), to be picked up by 25 Dec 2026."
	if got := latestScan(t, res.body); got != want {
		t.Errorf("check-in of a held item:\n got %q\nwant %q", got, want)
	}
	shelf := c.get("/staff/holds")
	mustContain(t, text(shelf.body), "Gödel, Escher, Bach", "Chan Tai Man", "ready on the hold shelf: pick up by 25 Dec 2026")

	// The fines are paid at the desk, once however often the form is sent.
	page = c.get(patronURL)
	mustContain(t, text(page.body), "Owed: HKD 12.00")
	payForm := with(form(t, page.body, patronURL+"/payment"), "pay_amount", "12", "pay_method", "cash")
	for range 2 {
		c.post(patronURL+"/payment", payForm)
	}
	if b := l.balance(holder); b != 0 {
		t.Errorf("balance %s after paying HKD 12.00 twice over", b)
	}

	// The audit log shows each step, and never a PIN.
	log := c.get("/staff/audit?patron=25017342")
	if log.status != http.StatusOK {
		t.Fatalf("audit log: %d", log.status)
	}
	logText := text(log.body)
	for _, action := range []string{"patron.register", "signin", "pin.change", "pin.reset", "loan.checkout", "loan.checkin", "fine.payment"} {
		mustContain(t, logText, " "+action+" ")
	}
	mustContain(t, logText, "staff:ada", "Registration completed", "PIN reset", "item 30000001 fine HKD 6.00")
	mustNotContain(t, log.body, temp, "harbour-view-2026", "green-tea-window-5")
	all := text(c.get("/staff/audit?action=hold.").body)
	mustContain(t, all, "hold.place", "hold.trap", "item 30000002 on the hold shelf until 2026-12-25")
	mine := text(c.get("/staff/audit?actor=ada&action=staff.signin").body)
	mustContain(t, mine, "Staff signed in")
	mustNotContain(t, mine, "loan.checkout")
}
