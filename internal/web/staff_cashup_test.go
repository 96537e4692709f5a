package web_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// payAt opens the patron's page as client c and posts its payment form
// with the given fields (pay_amount, pay_method, pay_receipt...).
func (c *client) payAt(p library.Patron, kv ...string) response {
	c.t.Helper()
	purl := "/staff/patrons/" + strconv.FormatInt(p.ID, 10)
	page := c.get(purl)
	if page.status != http.StatusOK {
		c.t.Fatalf("patron page: %d", page.status)
	}
	return c.submit(page.body, purl+"/payment", kv...)
}

// charge adds a fine charge to the patron's ledger.
func (l *testLibrary) charge(p library.Patron, amount library.Money) {
	l.t.Helper()
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: amount, Note: "overdue", CreatedAt: l.now})
	})
}

// paymentsOf reads the patron's payments from the database.
func (l *testLibrary) paymentsOf(p library.Patron) []library.FineEntry {
	l.t.Helper()
	var out []library.FineEntry
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		es, err := tx.FineEntries(p.ID)
		for _, e := range es {
			if e.Kind == library.FinePayment {
				out = append(out, e)
			}
		}
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return out
}

// rowText returns the text of the table row with the id.
func rowText(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr[^>]*id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</tr>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no row %s on the page:\n%s", id, text(page))
	}
	return strings.TrimSpace(text(m[1]))
}

// TestDeskPaymentNeedsMethodAndReceipt proves, over HTTP on both
// databases, that a desk payment needs its method, and a card or online
// one its slip's number; that a cash one without a number gets Carrel's
// own, shown on a printable receipt; that the same receipt number again
// for the patron records nothing and says when it was recorded and for
// what; and that the audit log holds the method and the receipt. A desk
// account is offered no waiver.
func TestDeskPaymentNeedsMethodAndReceipt(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l, _ := newLibraryOn(t, target.Fresh(t))
			dee := l.staff("dee", library.RoleDesk)
			p := l.patron("24031588", "Wong Ka Yan", nil)
			l.charge(p, 2000)
			c := l.staffClient(dee)
			purl := "/staff/patrons/" + strconv.FormatInt(p.ID, 10)
			page := c.get(purl)
			mustContain(t, text(page.body), "Record a payment", "How was it paid?", "Cash", "Card", "Online", "Receipt number", "Never a card number")
			mustNotContain(t, page.body, "/waiver", "Waive")

			for _, tt := range []struct {
				name   string
				fields []string
				status int
				says   string
			}{
				{"no method", []string{"pay_amount", "3"}, http.StatusUnprocessableEntity, "Choose how the patron paid: cash, card or online"},
				{"card without its slip number", []string{"pay_amount", "3", "pay_method", "card"}, http.StatusUnprocessableEntity,
					"Type the number on the card terminal's slip, or the online payment's reference"},
				{"online without its reference", []string{"pay_amount", "3", "pay_method", "online", "pay_receipt", " "}, http.StatusUnprocessableEntity,
					"Type the number on the card terminal's slip, or the online payment's reference"},
				{"a number in Carrel's own form", []string{"pay_amount", "3", "pay_method", "cash", "pay_receipt", "C20261128-001"}, http.StatusUnprocessableEntity,
					"Numbers beginning like C20261128- are the ones Carrel gives cash payments"},
				{"a number too long", []string{"pay_amount", "3", "pay_method", "card", "pay_receipt", strings.Repeat("8", 65)}, http.StatusUnprocessableEntity,
					"Keep the receipt number to one line of at most 64 characters"},
			} {
				res := c.payAt(p, tt.fields...)
				if res.status != tt.status {
					t.Errorf("%s: %d, want %d", tt.name, res.status, tt.status)
				}
				mustContain(t, text(res.body), "There is a problem", tt.says)
			}
			if got := l.paymentsOf(p); len(got) != 0 {
				t.Fatalf("refused payments recorded: %+v", got)
			}

			// A card payment with its slip's number.
			res := c.payAt(p, "pay_amount", "3", "pay_method", "card", "pay_receipt", "R-123")
			if res.status != http.StatusSeeOther {
				t.Fatalf("card payment: %d\n%s", res.status, text(res.body))
			}
			done := c.get(res.location())
			mustContain(t, text(done.body), "The payment is recorded.", "Receipt R-123: print the receipt", "Owed: HKD 17.00")
			// The same slip again, from a fresh form: nothing is recorded, and the page says when it was.
			l.now = l.now.Add(5 * time.Minute)
			for _, amount := range []string{"3", "4"} {
				res = c.payAt(p, "pay_amount", amount, "pay_method", "card", "pay_receipt", " R-123 ")
				if res.status != http.StatusConflict {
					t.Errorf("receipt R-123 again for HKD %s: %d, want 409", amount, res.status)
				}
				mustContain(t, text(res.body), "Receipt R-123 was already recorded for this patron on 28 Nov 2026 at 10:00: HKD 3.00 by Card. Nothing was recorded again.")
			}
			if got := l.paymentsOf(p); len(got) != 1 || l.balance(p) != 1700 {
				t.Errorf("after the same receipt twice more: %d payments, balance %s; want 1 and HKD 17.00", len(got), l.balance(p))
			}

			// Cash without a number: Carrel's own, on a printable receipt.
			res = c.payAt(p, "pay_amount", "HKD 2.50", "pay_method", "cash")
			done = c.get(res.location())
			receiptURL := regexpFind(t, done.body, `href="(/staff/receipts/[0-9]+)" id="print-receipt"`)
			mustContain(t, text(done.body), "Receipt C20261128-001: print the receipt")
			slip := c.get(receiptURL)
			if slip.status != http.StatusOK {
				t.Fatalf("receipt: %d", slip.status)
			}
			mustContain(t, text(slip.body), "Payment receipt", "Receipt number C20261128-001", "Paid on 28 Nov 2026 10:05",
				"Wong Ka Yan", "24031588", "Amount paid HKD 2.50", "Paid by Cash", "Received by dee", "Print receipt")
			mustContain(t, slip.body, "data-print")
			// A ledger entry that is no payment has no receipt.
			var charge library.FineEntry
			l.update(func(tx library.Tx) error {
				es, err := tx.FineEntries(p.ID)
				charge = es[0]
				return err
			})
			if res := c.get("/staff/receipts/" + strconv.FormatInt(charge.ID, 10)); res.status != http.StatusNotFound {
				t.Errorf("receipt of a charge: %d, want 404", res.status)
			}
			// The audit log: method and receipt of each payment.
			log := text(c.get("/staff/audit?action=fine.payment").body)
			mustContain(t, log, "payment HKD 3.00 by card, receipt R-123, balance HKD 17.00",
				"payment HKD 2.50 by cash, receipt C20261128-001, balance HKD 14.50")
		})
	}
}

// TestCashUp proves the cash-up over HTTP on both databases: each desk
// account's payments of a day (in Hong Kong time: 23:59 is the day
// before, 00:01 the day itself) by method with counts and totals, the
// cash expected in the till, the list of payments, and waivers apart and
// not counted; a kiosk's payments under its own account; a desk account
// sees its own cash-up only, an admin anyone's and all desks'.
func TestCashUp(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l, _ := newLibraryOn(t, target.Fresh(t))
			loc := l.cfg.Location()
			l.now = time.Date(2026, 11, 27, 23, 50, 0, 0, loc)
			dee, dan, ada := l.staff("dee", library.RoleDesk), l.staff("dan", library.RoleDesk), l.staff("ada", library.RoleAdmin)
			p := l.patron("24031588", "Wong Ka Yan", nil)
			q := l.patron("24062953", "Chan Tai Man", nil)
			l.charge(p, 5000)
			l.charge(q, 5000)
			cDee, cDan, cAda := l.staffClient(dee), l.staffClient(dan), l.staffClient(ada)
			paid := func(c *client, who library.Patron, kv ...string) {
				t.Helper()
				if res := c.payAt(who, kv...); res.status != http.StatusSeeOther {
					t.Fatalf("payment %v: %d\n%s", kv, res.status, text(res.body))
				}
			}
			l.now = time.Date(2026, 11, 27, 23, 59, 0, 0, loc)
			paid(cDee, p, "pay_amount", "2", "pay_method", "cash")
			l.now = time.Date(2026, 11, 28, 0, 1, 0, 0, loc)
			paid(cDee, p, "pay_amount", "3", "pay_method", "card", "pay_receipt", "T-501")
			l.now = time.Date(2026, 11, 28, 0, 5, 0, 0, loc)
			paid(cDee, q, "pay_amount", "1", "pay_method", "cash")
			paid(cDan, q, "pay_amount", "4", "pay_method", "online", "pay_receipt", "PAY-9")
			// A kiosk's payment, as SIP2's Fee Paid records it.
			if _, err := l.svc.PayFine(l.ctx, "sip2:kiosk-1", library.FeePayment{PatronBarcode: q.Barcode, Amount: 500,
				Method: library.PayCash, Receipt: "tx-77"}); err != nil {
				t.Fatal(err)
			}
			// The admin waives: no money, counted apart.
			apage := cAda.get("/staff/patrons/" + strconv.FormatInt(p.ID, 10))
			if res := cAda.submit(apage.body, "/staff/patrons/"+strconv.FormatInt(p.ID, 10)+"/waiver", "waive_amount", "1.50", "waive_note", "first offence"); res.status != http.StatusSeeOther {
				t.Fatalf("waiver: %d", res.status)
			}
			l.now = time.Date(2026, 11, 28, 0, 30, 0, 0, loc)

			// dee's own day: the 00:01 card payment and the 00:05 cash one, not the 23:59 one.
			mine := cDee.get("/staff/cashup?day=2026-11-28")
			if mine.status != http.StatusOK {
				t.Fatalf("dee's cash-up: %d\n%s", mine.status, text(mine.body))
			}
			mustContain(t, text(mine.body), "Cash-up of dee, 28 Nov 2026", "Cash expected in the till: HKD 1.00",
				"T-501", "C20261128-001", "No waivers on this day.", "Print cash-up")
			mustNotContain(t, text(mine.body), "PAY-9", "tx-77", "C20261127-001", "first offence")
			for id, want := range map[string]string{"method-cash": "Cash 1 HKD 1.00", "method-card": "Card 1 HKD 3.00",
				"method-online": "Online 0 HKD 0.00", "method-total": "All payments 2 HKD 4.00"} {
				if got := rowText(t, mine.body, id); got != want {
					t.Errorf("dee's %s: %q, want %q", id, got, want)
				}
			}
			mustContain(t, mine.body, `href="/staff/cashup?day=2026-11-27"`, `href="/staff/cashup?day=2026-11-29"`)
			// The day before holds the 23:59 payment; today is the default.
			before := cDee.get("/staff/cashup?day=2026-11-27")
			if got := rowText(t, before.body, "method-total"); got != "All payments 1 HKD 2.00" {
				t.Errorf("dee's 27 Nov: %q", got)
			}
			mustContain(t, text(before.body), "C20261127-001")
			if got := rowText(t, cDee.get("/staff/cashup").body, "method-total"); got != "All payments 2 HKD 4.00" {
				t.Errorf("dee's cash-up of today: %q", got)
			}
			// dee may not see dan's, the admin's, the kiosk's or all desks'.
			for _, other := range []string{"dan", "ada", "sip2:kiosk-1", "staff:dan"} {
				if res := cDee.get("/staff/cashup?day=2026-11-28&staff=" + other); res.status != http.StatusForbidden {
					t.Errorf("dee asking for %s's cash-up: %d, want 403", other, res.status)
				} else {
					mustNotContain(t, res.body, "PAY-9", "tx-77")
				}
			}
			if res := cDee.get("/staff/cashup?staff=dee"); res.status != http.StatusOK {
				t.Errorf("dee naming herself: %d", res.status)
			}

			// The admin: all desks, each account, the waivers apart.
			all := cAda.get("/staff/cashup?day=2026-11-28")
			if all.status != http.StatusOK {
				t.Fatalf("all desks: %d", all.status)
			}
			mustContain(t, text(all.body), "Cash-up of all desks, 28 Nov 2026", "Cash expected in the till: HKD 6.00",
				"T-501", "PAY-9", "tx-77", "kiosk kiosk-1", "first offence", "Waived on this day: HKD 1.50 (one waiver).")
			for id, want := range map[string]string{"method-cash": "Cash 2 HKD 6.00", "method-card": "Card 1 HKD 3.00",
				"method-online": "Online 1 HKD 4.00", "method-total": "All payments 4 HKD 13.00"} {
				if got := rowText(t, all.body, id); got != want {
					t.Errorf("all desks' %s: %q, want %q", id, got, want)
				}
			}
			accounts := text(regexpFind(t, all.body, `(?s)(<table class="data accounts".*?</table>)`))
			mustContain(t, accounts, "ada HKD 0.00 HKD 0.00 HKD 0.00 HKD 0.00 HKD 1.50",
				"dan HKD 0.00 HKD 0.00 HKD 4.00 HKD 4.00 HKD 0.00", "dee HKD 1.00 HKD 3.00 HKD 0.00 HKD 4.00 HKD 0.00",
				"kiosk kiosk-1 HKD 5.00 HKD 0.00 HKD 0.00 HKD 5.00 HKD 0.00")
			mustContain(t, all.body, `href="/staff/cashup?day=2026-11-28&amp;staff=dan"`, `href="/staff/cashup?day=2026-11-28&amp;staff=sip2%3Akiosk-1"`)
			for who, want := range map[string]string{"dan": "All payments 1 HKD 4.00", "sip2:kiosk-1": "All payments 1 HKD 5.00", "dee": "All payments 2 HKD 4.00"} {
				res := cAda.get("/staff/cashup?day=2026-11-28&staff=" + who)
				if got := rowText(t, res.body, "method-total"); res.status != http.StatusOK || got != want {
					t.Errorf("the admin asking for %s's: %d %q, want %q", who, res.status, got, want)
				}
			}
			// A day that is no day is refused with a message.
			if res := cAda.get("/staff/cashup?day=28/11/2026"); res.status != http.StatusUnprocessableEntity {
				t.Errorf("a bad day: %d", res.status)
			} else {
				mustContain(t, text(res.body), "Enter the day as YYYY-MM-DD")
			}
		})
	}
}
