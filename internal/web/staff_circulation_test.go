package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// checkoutFor opens the check-out desk for the patron with the barcode.
func (c *client) checkoutFor(barcode string) response {
	c.t.Helper()
	res := c.get("/staff/checkout?" + url.Values{"patron": {barcode}}.Encode())
	if res.status != http.StatusOK {
		c.t.Fatalf("check-out for %s: %d", barcode, res.status)
	}
	return res
}

// scan sends one barcode from a scan page's form.
func (c *client) scan(page response, action, barcode string) response {
	c.t.Helper()
	return c.submit(page.body, action, "item", barcode)
}

// TestCheckoutRefusals proves each refusal at the check-out desk gives its
// exact reason in one line, and lends nothing.
func TestCheckoutRefusals(t *testing.T) {
	l := newLibrary(t, func(c *library.Config) {
		cat := c.Categories["student"]
		cat.MaxLoans = 1
		c.Categories["student"] = cat
	})
	st := l.staff("dee", library.RoleDesk)
	holder := l.patron("25017342", "Lam Chi Ho", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
	blocked := l.patron("23045126", "Ho Ka Lok", func(p *library.Patron) { p.BlockedReason = "damaged atlas" })
	expired := l.patron("21018834", "Tsang Hoi Yee", func(p *library.Patron) { p.ExpiresOn = library.NewDate(2026, 8, 31) })
	fined := l.patron("22056710", "Leung Chun Kit", nil)
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: fined.ID, Kind: library.FineCharge, Amount: 6200, Note: "overdue", CreatedAt: l.now})
	})
	full := l.patron("24062953", "Chan Tai Man", nil)
	l.loan(full, "30000009", "A Pattern Language", today.AddDays(-2), today.AddDays(12), 0)
	ok := l.patron("24031588", "Wong Ka Yan", nil)
	l.item("30000001", "Introduction to Algorithms")
	gone := l.item("30000002", "Withdrawn Book")
	l.update(func(tx library.Tx) error { gone.Withdrawn = true; return tx.UpdateItem(gone) })

	c := l.staffClient(st)
	cases := []struct {
		patron library.Patron
		item   string
		want   string
	}{
		{holder, "30000001", "✗ Not done: Not lent: Introduction to Algorithms (30000001): card holder only: registration (students) or the library application (staff) is not complete."},
		{blocked, "30000001", "✗ Not done: Not lent: Introduction to Algorithms (30000001): the patron is blocked."},
		{expired, "30000001", "✗ Not done: Not lent: Introduction to Algorithms (30000001): the account expired on 31 Aug 2026."},
		{fined, "30000001", "✗ Not done: Not lent: Introduction to Algorithms (30000001): unpaid fines of HKD 62.00 reach the HKD 50.00 limit."},
		{full, "30000001", "✗ Not done: Not lent: Introduction to Algorithms (30000001): the patron has 1 item on loan, the limit."},
		{ok, "30000009", "✗ Not done: Not lent: A Pattern Language (30000009): the item is already on loan: check it in first."},
		{ok, "30000002", "✗ Not done: Not lent: Withdrawn Book (30000002): the item is not for loan (withdrawn)."},
		{ok, "39999999", "✗ Not done: No item has the barcode 39999999."},
		{ok, "", "✗ Not done: Nothing was scanned."},
	}
	for _, tc := range cases {
		page := c.checkoutFor(tc.patron.Barcode)
		res := c.scan(page, "/staff/checkout", tc.item)
		if got := latestScan(t, res.body); got != tc.want {
			t.Errorf("%s, item %q:\n got %q\nwant %q", tc.patron.Name, tc.item, got, tc.want)
		}
		// A desk account is offered no override.
		mustNotContain(t, res.body, "/staff/checkout/override")
	}
	for _, p := range []library.Patron{holder, blocked, expired, fined, ok} {
		if n := len(l.openLoans(p)); n != 0 {
			t.Errorf("%s has %d loans after refusals", p.Name, n)
		}
	}
	// The blocked patron's reason is for staff: shown on the desk.
	mustContain(t, text(c.checkoutFor(blocked.Barcode).body), "Cannot borrow: the patron is blocked")
	// An unknown patron barcode, and a replaced card's.
	res := c.checkoutFor("99999999")
	mustContain(t, latestScan(t, res.body), "No patron has the barcode 99999999")
	// An old page's form (its token used by another scan) does nothing.
	page0 := c.checkoutFor(ok.Barcode)
	lent := c.scan(page0, "/staff/checkout", "30000001")
	mustContain(t, latestScan(t, lent.body), "Lent: Introduction to Algorithms")
	l.item("30000003", "Another Book")
	stale := c.scan(page0, "/staff/checkout", "30000003")
	if got := latestScan(t, stale.body); got != "✗ Not done: Nothing was done: this page was out of date (its form was already used). Scan Another Book (30000003) again." {
		t.Errorf("stale form: %q", got)
	}
	if n := len(l.openLoans(ok)); n != 1 {
		t.Errorf("%d loans after a stale form, want 1", n)
	}
	// The next patron's card scanned in the item field starts with them.
	page := c.checkoutFor(ok.Barcode)
	res = c.scan(page, "/staff/checkout", blocked.Barcode)
	if res.status != http.StatusSeeOther || res.location() != "/staff/checkout?patron="+blocked.Barcode {
		t.Errorf("patron card in the item field: %d to %q", res.status, res.location())
	}
}

// TestCheckoutOverride proves an admin may lend despite a refusal about
// the patron, with a reason the audit log keeps, and a desk account may not.
func TestCheckoutOverride(t *testing.T) {
	l := newLibrary(t, nil)
	admin := l.staff("ada", library.RoleAdmin)
	desk := l.staff("dee", library.RoleDesk)
	blocked := l.patron("23045126", "Ho Ka Lok", func(p *library.Patron) { p.BlockedReason = "damaged atlas" })
	holder := l.patron("25017342", "Lam Chi Ho", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
	l.item("30000001", "Introduction to Algorithms")

	d := l.staffClient(desk)
	refused := d.scan(d.checkoutFor(blocked.Barcode), "/staff/checkout", "30000001")
	mustNotContain(t, refused.body, "Lend anyway")
	// The desk account forges the override form: refused, nothing lent.
	res := d.post("/staff/checkout/override", url.Values{"csrf": {csrf(t, refused.body)}, "patron": {blocked.Barcode},
		"item": {"30000001"}, "override": {"I said so"}, "request": {library.NewRequestToken()}})
	if res.status != http.StatusForbidden {
		t.Errorf("desk override: %d, want 403", res.status)
	}

	a := l.staffClient(admin)
	refused = a.scan(a.checkoutFor(blocked.Barcode), "/staff/checkout", "30000001")
	mustContain(t, text(refused.body), "Lend 30000001 anyway?", "Reason for the override")
	// No reason: asked for one, nothing lent.
	res = a.submit(refused.body, "/staff/checkout/override", "override", " ")
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("override without a reason: %d", res.status)
	}
	mustContain(t, text(res.body), "Give the reason for lending despite the refusal")
	if len(l.openLoans(blocked)) != 0 {
		t.Fatal("lent without a reason")
	}
	res = a.submit(refused.body, "/staff/checkout/override", "override", "atlas paid for today")
	if got := latestScan(t, res.body); got != "✓ Done: Lent: Introduction to Algorithms (30000001), due 12 Dec 2026. Override recorded: atlas paid for today." {
		t.Errorf("override: %q", got)
	}
	// Sent twice: lent once.
	again := a.submit(refused.body, "/staff/checkout/override", "override", "atlas paid for today")
	mustContain(t, latestScan(t, again.body), "Already done")
	if n := len(l.openLoans(blocked)); n != 1 {
		t.Errorf("%d loans after an override sent twice", n)
	}
	e := l.audit(library.AuditFilter{Action: "loan.checkout.override"})
	if len(e) != 1 || e[0].Actor != "staff:ada" || !strings.Contains(e[0].Detail, "atlas paid for today") || !strings.Contains(e[0].Detail, "blocked") {
		t.Errorf("override audit: %+v", e)
	}
	// A card holder who has not registered cannot be overridden (R4).
	refused = a.scan(a.checkoutFor(holder.Barcode), "/staff/checkout", "30000001")
	mustNotContain(t, refused.body, "Lend anyway")
}

// TestCheckinTrapsHolds proves check-in traps an item for the first hold
// in its queue, says so, and a second scan neither charges nor traps again.
func TestCheckinTrapsHolds(t *testing.T) {
	l := newLibrary(t, nil)
	st := l.staff("dee", library.RoleDesk)
	borrower := l.patron("24031588", "Wong Ka Yan", nil)
	first := l.patron("24062953", "Chan Tai Man", nil)
	second := l.patron("22056710", "Leung Chun Kit", nil)
	ln := l.loan(borrower, "30000001", "Introduction to Algorithms", today.AddDays(-20), today.AddDays(-3), 0)
	for _, p := range []library.Patron{first, second} {
		if _, err := l.svc.PlaceHold(l.ctx, library.CommandLine, p.ID, ln.Item.Barcode); err != nil {
			t.Fatal(err)
		}
	}
	c := l.staffClient(st)
	page := c.get("/staff/checkin")
	res := c.scan(page, "/staff/checkin", "30000001")
	want := "⚑ Hold: Returned: Introduction to Algorithms (30000001). Overdue fine of HKD 3.00 charged to patron 24031588. " +
		"Put it on the hold shelf for Chan Tai Man (24062953), to be picked up by 5 Dec 2026."
	if got := latestScan(t, res.body); got != want {
		t.Errorf("check-in:\n got %q\nwant %q", got, want)
	}
	again := c.scan(res, "/staff/checkin", "30000001")
	want = "⚑ Hold: Introduction to Algorithms (30000001) is not on loan, so there was nothing to check in. " +
		"It belongs on the hold shelf for Chan Tai Man (24062953) until 5 Dec 2026."
	if got := latestScan(t, again.body); got != want {
		t.Errorf("second scan:\n got %q\nwant %q", got, want)
	}
	// Both answers stay in the running list, newest first.
	body := text(again.body)
	if i, j := strings.Index(body, "is not on loan"), strings.Index(body, "Returned: Introduction"); i < 0 || j < 0 || i > j {
		t.Error("the running list is not newest first")
	}
	if b := l.balance(borrower); b != 300 {
		t.Errorf("balance %s, want HKD 3.00 charged once", b)
	}
	// The item waits for the first patron: lending it to another is refused.
	out := c.scan(c.checkoutFor(second.Barcode), "/staff/checkout", "30000001")
	mustContain(t, latestScan(t, out.body), "the item is on the hold shelf for another patron")
	out = c.scan(c.checkoutFor(first.Barcode), "/staff/checkout", "30000001")
	mustContain(t, latestScan(t, out.body), "Lent: Introduction to Algorithms")
	mustContain(t, text(c.get("/staff/holds").body), "The hold shelf is empty.")
}

// TestStaffPatronActions walks the patron page's actions: block and
// unblock with a reason, expiry, edit, unlock, replacing a lost card, a
// payment, a waiver (admin only) and renewals, each with its refusals.
func TestStaffPatronActions(t *testing.T) {
	l := newLibrary(t, nil)
	admin := l.staff("ada", library.RoleAdmin)
	desk := l.staff("dee", library.RoleDesk)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	l.chosenPIN(p, "reading-room-7")
	other := l.patron("24062953", "Chan Tai Man", nil)
	ln := l.loan(p, "30000001", "Introduction to Algorithms", today.AddDays(-16), today.AddDays(-2), 0)
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: 1000, Note: "overdue", CreatedAt: l.now})
	})
	purl := "/staff/patrons/" + strconv.FormatInt(p.ID, 10)
	c := l.staffClient(desk)
	page := c.get(purl)
	mustContain(t, text(page.body), "Wong Ka Yan", "Active", "chosen by the patron", "Owed: HKD 10.00", "2 days overdue",
		"Introduction to Algorithms", "Record a payment")
	mustNotContain(t, page.body, "Waive fines", "/waiver")
	mustNotContain(t, page.body, "$argon2") // never a hash

	// Block needs a reason; the patron never sees it.
	if res := c.submit(page.body, purl+"/block", "block_reason", " "); res.status != http.StatusUnprocessableEntity {
		t.Errorf("block without a reason: %d", res.status)
	}
	res := c.submit(page.body, purl+"/block", "block_reason", "lost the atlas")
	page = c.get(res.location())
	mustContain(t, text(page.body), "The patron is blocked.", "Blocked because lost the atlas", "Cannot borrow: the patron is blocked")
	pc := l.client()
	pc.mustSignIn("24031588", "reading-room-7", "/account")
	mustNotContain(t, pc.get("/account").body, "lost the atlas")
	res = c.submit(page.body, purl+"/unblock")
	page = c.get(res.location())
	mustContain(t, text(page.body), "The block is lifted.")

	// Expiry: a date, or none; a bad one is refused beside the field.
	if res := c.submit(page.body, purl+"/expiry", "expires_on", "31/02/2027"); res.status != http.StatusUnprocessableEntity {
		t.Errorf("bad expiry date: %d", res.status)
	}
	res = c.submit(page.body, purl+"/expiry", "expires_on", "2027-08-31")
	mustContain(t, text(c.get(res.location()).body), "The expiry date is saved.", "31 Aug 2027")
	res = c.submit(page.body, purl+"/expiry", "expires_on", "")
	mustContain(t, text(c.get(res.location()).body), "no expiry date")

	// Edit: each problem beside its field.
	edit := c.get(purl + "/edit")
	res = c.submit(edit.body, purl+"/edit", "name", "", "email", "not-an-address", "category", "staff")
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("bad edit: %d", res.status)
	}
	mustContain(t, text(res.body), "Enter the patron's name", "Enter an email address such as")
	mustContain(t, res.body, `href="#name"`, `href="#email"`)
	res = c.submit(edit.body, purl+"/edit", "name", "Wong Ka-yan", "email", "kayan@example.edu.hk", "category", "student")
	page = c.get(res.location())
	mustContain(t, text(page.body), "The patron's details are saved.", "Wong Ka-yan", "kayan@example.edu.hk")

	// Payments: more than owed is refused; a desk account cannot waive.
	if res := c.submit(page.body, purl+"/payment", "pay_amount", "20", "pay_method", "cash"); res.status != http.StatusUnprocessableEntity {
		t.Errorf("overpayment: %d", res.status)
	} else {
		mustContain(t, text(res.body), "more than the HKD 10.00 owed")
	}
	if res := c.submit(page.body, purl+"/payment", "pay_amount", "ten", "pay_method", "cash"); res.status != http.StatusUnprocessableEntity {
		t.Errorf("payment of ten: %d", res.status)
	}
	res = c.submit(page.body, purl+"/payment", "pay_amount", "HKD 4.50", "pay_method", "card", "pay_receipt", "OCT-5521", "pay_note", "Octopus")
	mustContain(t, text(c.get(res.location()).body), "The payment is recorded.", "Owed: HKD 5.50", "Octopus", "OCT-5521")
	if res := c.post(purl+"/waiver", url2(page, "waive_amount", "1", "waive_note", "x")); res.status != http.StatusForbidden {
		t.Errorf("desk waiver: %d", res.status)
	}
	a := l.staffClient(admin)
	apage := a.get(purl)
	if res := a.submit(apage.body, purl+"/waiver", "waive_amount", "5.50"); res.status != http.StatusUnprocessableEntity {
		t.Errorf("waiver without a note: %d", res.status)
	}
	res = a.submit(apage.body, purl+"/waiver", "waive_amount", "5.50", "waive_note", "first offence")
	mustContain(t, text(a.get(res.location()).body), "The waiver is recorded.", "Owed: HKD 0.00", "first offence")
	if b := l.balance(p); b != 0 {
		t.Errorf("balance %s", b)
	}

	// Renew from the patron page, once however often the form is sent.
	page = c.get(purl)
	renew := with(form(t, page.body, purl+"/renew"), "loan", strconv.FormatInt(ln.ID, 10))
	res = c.post(purl+"/renew", renew)
	mustContain(t, text(res.body), "Renewed 1 of 1", "An overdue fine of HKD 2.00 was charged.")
	res = c.post(purl+"/renew", renew)
	if res.status != http.StatusSeeOther {
		t.Errorf("renew sent twice: %d", res.status)
	}
	mustContain(t, text(c.get(res.location()).body), "This form was already sent")
	if got := l.openLoans(p)[0].Renewals; got != 1 {
		t.Errorf("%d renewals after a renewal sent twice", got)
	}

	// Unlock a barcode paused by failed sign-ins, without touching the PIN.
	for range 10 {
		l.client().signIn("24031588", "wrong-pin-1")
	}
	page = c.get(purl)
	mustContain(t, text(page.body), "paused after failed sign-ins, until 10:15")
	res = c.submit(page.body, purl+"/unlock")
	mustContain(t, text(c.get(res.location()).body), "Sign-in is unlocked.")
	l.client().mustSignIn("24031588", "reading-room-7", "/account")

	// Replace a lost card: refusals, then the change; the old card is refused.
	page = c.get(purl)
	for _, bad := range []struct{ barcode, want string }{
		{"", "Scan or type the new card's barcode"},
		{"24031588", "That is the barcode of the current card"},
		{"ABC", "does not fit the patron's category (8 digits)"},
		{other.Barcode, "Another patron has that barcode"},
	} {
		res := c.submit(page.body, purl+"/card", "new_barcode", bad.barcode)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("new card %q: %d", bad.barcode, res.status)
		}
		mustContain(t, text(res.body), bad.want)
	}
	res = c.submit(page.body, purl+"/card", "new_barcode", "2409 9999")
	mustContain(t, text(c.get(res.location()).body), "The card is replaced.", "24099999", "Replaced cards 24031588")
	// The same form again (a stale page): nothing changes.
	stale := c.submit(page.body, purl+"/card", "new_barcode", "24088888")
	if stale.status != http.StatusConflict {
		t.Errorf("stale card form: %d", stale.status)
	}
	mustContain(t, text(stale.body), "The card was already replaced")
	if res := l.client().signIn("24031588", "reading-room-7"); res.status != http.StatusUnauthorized {
		t.Errorf("old card signs in: %d", res.status)
	}
	l.client().mustSignIn("24099999", "reading-room-7", "/account")
	found := c.get("/staff/patrons?q=24031588")
	mustContain(t, text(found.body), "is the barcode of a card that was replaced")
	// Every action is in the patron's audit trail.
	trail := text(c.get(purl).body)
	for _, action := range []string{"patron.block", "patron.unblock", "patron.expiry", "patron.edit", "fine.payment", "fine.waiver", "loan.renew", "signin.unlock", "patron.card.replace"} {
		mustContain(t, trail, action)
	}
}

// url2 returns the page's csrf token with the given fields, for a request
// a page does not offer.
func url2(page response, kv ...string) url.Values {
	v := url.Values{"csrf": {csrfField.FindStringSubmatch(page.body)[1]}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// TestStaffItems proves items are added, found, edited and withdrawn at
// the desk, that an item on loan cannot be withdrawn, and holds placed and
// cancelled from an item's page.
func TestStaffItems(t *testing.T) {
	l := newLibrary(t, nil)
	desk := l.staff("dee", library.RoleDesk)
	p := l.patron("24031588", "Wong Ka Yan", nil)
	waiter := l.patron("24062953", "Chan Tai Man", nil)
	ln := l.loan(p, "30000009", "A Pattern Language", today.AddDays(-2), today.AddDays(12), 0)
	c := l.staffClient(desk)

	page := c.get("/staff/items/new")
	res := c.submit(page.body, "/staff/items", "barcode", "", "title", "")
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("empty item: %d", res.status)
	}
	mustContain(t, text(res.body), "Scan or type the item's barcode", "Enter the title")
	res = c.submit(page.body, "/staff/items", "barcode", "3000-0001", "title", "Introduction to Algorithms", "author", "Cormen", "call_number", "QA76.6 .C662", "location", "3/F")
	if res.status != http.StatusSeeOther {
		t.Fatalf("add item: %d\n%s", res.status, text(res.body))
	}
	itemURL := res.location()[:strings.Index(res.location(), "?")]
	// The same form sent again finds its barcode taken.
	again := c.submit(page.body, "/staff/items", "barcode", "30000001", "title", "Introduction to Algorithms")
	mustContain(t, text(again.body), "Another item has the barcode 30000001")

	// Search: by words, and a scan goes straight to the item.
	found := c.get("/staff/items?q=cormen")
	mustContain(t, text(found.body), "Introduction to Algorithms", "30000001", "On the shelf")
	if res := c.get("/staff/items?q=30000001"); res.status != http.StatusSeeOther || res.location() != itemURL {
		t.Errorf("scan an item: %d to %q", res.status, res.location())
	}
	mustContain(t, text(c.get("/staff/items?q=pattern").body), "On loan to 24031588, due 10 Dec 2026")

	edit := c.get(itemURL + "/edit")
	res = c.submit(edit.body, itemURL+"/edit", "title", "Introduction to Algorithms, 4th ed.", "barcode", "30000009")
	mustContain(t, text(res.body), "Another item has the barcode 30000009")
	res = c.submit(edit.body, itemURL+"/edit", "title", "Introduction to Algorithms, 4th ed.")
	mustContain(t, text(c.get(res.location()).body), "The item is saved.", "Introduction to Algorithms, 4th ed.")

	// Holds from the item page: on the shelf it is refused; on loan it works.
	item := c.get(itemURL)
	res = c.submit(item.body, itemURL+"/holds", "patron_barcode", waiter.Barcode)
	mustContain(t, text(res.body), "the item is on the shelf: lend it rather than hold it")
	lentURL := "/staff/items/" + strconv.FormatInt(ln.Item.ID, 10)
	lent := c.get(lentURL)
	mustContain(t, text(lent.body), "A Pattern Language", "On loan to 24031588", "No one is waiting")
	res = c.submit(lent.body, lentURL+"/holds", "patron_barcode", "99999999")
	mustContain(t, text(res.body), "No patron has the barcode 99999999")
	res = c.submit(lent.body, lentURL+"/holds", "patron_barcode", waiter.Barcode)
	lent = c.get(res.location())
	mustContain(t, text(lent.body), "The hold is placed.", "Chan Tai Man", "waiting in line: number 1")
	// The borrower's renewal is now refused: someone waits.
	mustContain(t, text(c.get("/staff/patrons/"+strconv.FormatInt(p.ID, 10)).body), "another patron is waiting for this item")
	// Cancel, then cancel again from the stale page.
	holdAction := regexpFind(t, lent.body, `action="(/staff/holds/[0-9]+/cancel)"`)
	res = c.submit(lent.body, holdAction)
	if res.status != http.StatusSeeOther || res.location() != lentURL+"?done=hold_cancelled" {
		t.Fatalf("cancel hold: %d to %q", res.status, res.location())
	}
	res = c.submit(lent.body, holdAction)
	mustContain(t, text(c.get(res.location()).body), "That hold was already closed")

	// Withdraw: refused while on loan, then done once it is back.
	res = c.submit(lent.body, lentURL+"/withdraw", "withdraw_reason", "worn out")
	if res.status != http.StatusConflict {
		t.Errorf("withdraw on loan: %d", res.status)
	}
	mustContain(t, text(res.body), "the item is already on loan: check it in first")
	c.scan(c.get("/staff/checkin"), "/staff/checkin", "30000009")
	lent = c.get(lentURL)
	res = c.submit(lent.body, lentURL+"/withdraw", "withdraw_reason", "worn out")
	mustContain(t, text(c.get(res.location()).body), "The item is withdrawn", "Withdrawn")
	out := c.scan(c.checkoutFor(p.Barcode), "/staff/checkout", "30000009")
	mustContain(t, latestScan(t, out.body), "the item is not for loan (withdrawn)")
}

// TestRegisterRandomPIN proves that with the random rule a registration
// gives a first PIN shown once on a slip, which works once and must be
// changed, and that the form sent twice makes no second PIN.
func TestRegisterRandomPIN(t *testing.T) {
	l := newLibrary(t, func(c *library.Config) {
		c.PresetRules = []library.PresetRule{{Until: library.NewDate(2018, 7, 31), Rule: library.PresetHKID}, {From: library.NewDate(2018, 8, 1), Rule: library.PresetRandom}}
	})
	desk := l.staff("dee", library.RoleDesk)
	holder := l.patron("25017342", "Lam Chi Ho", func(p *library.Patron) {
		p.RegisteredOn = library.Date{}
		p.PIN = library.PINRecord{Kind: library.PINNone}
	})
	c := l.staffClient(desk)
	purl := "/staff/patrons/" + strconv.FormatInt(holder.ID, 10)
	page := c.get(purl)
	res := c.confirmStep(c.submit(page.body, purl+"/register"), purl+"/register")
	if res.status != http.StatusOK {
		t.Fatalf("register: %d\n%s", res.status, text(res.body))
	}
	pin := pinOnSlip(t, res.body)
	mustContain(t, text(res.body), "Registration complete: first PIN", "First PIN", "once, until 5 Dec 2026 10:00")
	again := c.submit(page.body, purl+"/register")
	mustContain(t, text(c.get(again.location()).body), "already registered", "reset the PIN")
	mustNotContain(t, c.get(purl).body, pin)
	if res := l.client().signIn("25017342", "25017342"); res.status != http.StatusUnauthorized {
		t.Errorf("the barcode works as a PIN under the random rule: %d", res.status)
	}
	l.client().mustSignIn("25017342", pin, "/account/password")
	if res := l.client().signIn("25017342", pin); res.status != http.StatusUnauthorized {
		t.Errorf("the first PIN works twice: %d", res.status)
	}
	for _, e := range l.audit(library.AuditFilter{}) {
		if strings.Contains(strings.ToUpper(e.Detail), pin) {
			t.Errorf("audit entry %s holds the PIN", e.Action)
		}
	}
}
