package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

// TestPaymentKeysInCatalogue proves every payment method has its name in
// the catalogue and a choice on the patron page's payment form.
func TestPaymentKeysInCatalogue(t *testing.T) {
	s := newTestServer(t)
	methods := domainConstants(t, "PaymentMethod")
	if len(methods) < 4 {
		t.Fatalf("only %d payment methods found", len(methods))
	}
	for _, pm := range methods {
		if !s.cat.Has("pay.method." + pm) {
			t.Errorf("payment method %q has no name in the catalogue", pm)
		}
	}
	form, err := templateFiles.ReadFile("templates/staff_patron.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, pm := range library.PaymentMethods() {
		if !strings.Contains(string(form), `name="pay_method" value="`+string(pm)+`"`) {
			t.Errorf("the payment form offers no %q", pm)
		}
	}
}

// TestCashUpPagesRender renders the cash-up (all desks with every part
// shown, one account's empty day, and a bad day), a receipt and the
// patron page with its payment form's every error and a payment just
// recorded, in both languages, and looks for missing messages and values
// the templates' escaping refused.
func TestCashUpPagesRender(t *testing.T) {
	s := newTestServer(t)
	loc := s.cfg.Location()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, loc)
	r := httptest.NewRequest("GET", "/staff/cashup", nil)
	v := &staffVisit{sess: library.StaffSession{Stage: library.StageActive, CSRFToken: "token"},
		staff: library.Staff{ID: 1, Username: "ada", Name: "Ho Wing Sze", Role: library.RoleAdmin}}
	line := func(id int64, kind library.FineKind, method library.PaymentMethod, receipt, by string) library.LedgerLine {
		return library.LedgerLine{PatronBarcode: "24031588", FineEntry: library.FineEntry{ID: id, PatronID: 1, Kind: kind, Amount: 250,
			Method: method, Receipt: receipt, TakenBy: by, Note: "first offence", CreatedAt: now}}
	}
	pays := []library.LedgerLine{line(1, library.FinePayment, library.PayCash, "C20261128-001", "staff:dee"),
		line(2, library.FinePayment, library.PayCard, "T-1", "sip2:kiosk-1"), line(3, library.FinePayment, library.PayUnrecorded, "", "")}
	waivers := []library.LedgerLine{line(4, library.FineWaiver, "", "", "staff:ada")}
	build := func(c library.CashUp, staff string) *cashupPage {
		p := &cashupPage{base: s.staffBase(r, v, "staff_cashup", m("desk.title.cashup")), Form: cashupForm{Staff: staff}, Shown: true,
			Day: c.Day, All: c.Account == "", Who: accountMsg(c.Account), Takings: s.takingsRow(c.Takings, ""),
			Prev: "/p", Next: "/n", Today: "/t", Printed: "28 Nov 2026 10:00"}
		for _, tk := range c.Accounts {
			p.Accounts = append(p.Accounts, s.takingsRow(tk, cashupPath(c.Day, tk.Account, true)))
		}
		for _, l := range c.Payments {
			p.Payments = append(p.Payments, takenLine(l))
			p.Unrecorded = p.Unrecorded || l.Method == library.PayUnrecorded
		}
		for _, l := range c.Waivers {
			p.Waivers = append(p.Waivers, takenLine(l))
		}
		return p
	}
	day := library.DateOf(now, loc)
	all := build(library.CashUp{Day: day, Payments: pays, Waivers: waivers,
		Takings:  library.Takings{ByMethod: []library.MethodTotal{{Method: library.PayCash, Count: 1, Total: 250}, {Method: library.PayUnrecorded, Count: 1, Total: 250}}, Count: 2, Total: 500, Cash: 250, Waivers: 1, Waived: 250},
		Accounts: []library.Takings{{Account: ""}, {Account: "staff:dee"}, {Account: "sip2:kiosk-1"}}}, "")
	empty := build(library.CashUp{Day: day, Account: "staff:dee"}, "dee")
	bad := &cashupPage{base: s.staffBase(r, v, "staff_cashup", m("desk.title.cashup")), Form: cashupForm{Day: "28/11"},
		Errors: formErrors{{"day", m("cashup.bad_day")}}}
	receipt := &receiptPage{base: s.staffBase(r, v, "staff_receipt", m("desk.title.receipt", "receipt", "T-1")),
		R:      library.Receipt{Entry: pays[1].FineEntry, Patron: library.Patron{ID: 1, Name: "Wong Ka Yan", Barcode: "24031588"}},
		Method: methodMsg(library.PayCard), By: accountMsg("sip2:kiosk-1"), When: "28 Nov 2026 10:00"}

	file := library.PatronFile{Record: library.Record{Patron: library.Patron{ID: 1, Barcode: "24031588", Name: "Wong Ka Yan", Category: "student",
		RegisteredOn: library.NewDate(2024, 9, 1), PIN: library.PINRecord{Kind: library.PINChosen}}, Status: library.StatusActive, Today: day, FineBalance: 1000},
		Fines: []library.FineEntry{{ID: 7, Kind: library.FineCharge, Amount: 1250, CreatedAt: now}, pays[0].FineEntry, waivers[0].FineEntry}}
	patronPg := s.newPatronPage(httptest.NewRequest("GET", "/staff/patrons/1?done=paid&payment=1", nil), v, file)
	patronPg.JustPaid = justPaid(httptest.NewRequest("GET", "/staff/patrons/1?done=paid&payment=1", nil), patronPg.Fines)
	if patronPg.JustPaid == nil || patronPg.JustPaid.Receipt != "C20261128-001" {
		t.Fatalf("the payment just recorded: %+v", patronPg.JustPaid)
	}
	if justPaid(httptest.NewRequest("GET", "/staff/patrons/1?done=paid&payment=7", nil), patronPg.Fines) != nil {
		t.Error("a charge offered as a payment's receipt")
	}
	patronPg.Errors = formErrors{{"pay_amount", m("desk.fine.amount_bad")}, {"pay_method", m("desk.pay.method_missing")},
		{"pay_receipt", s.receiptRecorded(pays[1].FineEntry)}, {"pay_note", m("desk.fine.note_bad")}}
	patronPg.Form["pay_method"] = "card"

	for _, p := range s.cat.Printers() {
		for _, pg := range []struct {
			name string
			data any
			want []string
		}{
			{"staff_cashup", all, []string{`id="accounts"`, `id="waivers"`, "C20261128-001", `href="/staff/receipts/1"`, `href="/staff/cashup?day=2026-11-28&amp;staff=dee"`, "data-print"}},
			{"staff_cashup", empty, []string{`id="no-payments"`, `id="no-waivers"`}},
			{"staff_cashup", bad, []string{`id="day-error"`}},
			{"staff_receipt", receipt, []string{`id="receipt-number"`, "T-1", "data-print"}},
			{"staff_patron", patronPg, []string{`id="print-receipt"`, `id="pay_method-error"`, `value="card" id="pay_method-card" checked`, `/staff/patrons/1/waiver`}},
		} {
			var b strings.Builder
			if err := s.pages[p.Code()][pg.name].ExecuteTemplate(&b, "layout", pg.data); err != nil {
				t.Fatalf("%s %s: %v", p.Code(), pg.name, err)
			}
			out := b.String()
			if i := strings.Index(out, i18n.MissingMarker); i >= 0 {
				t.Errorf("%s %s: %s", p.Code(), pg.name, out[i:min(len(out), i+80)])
			}
			if strings.Contains(out, "#ZgotmplZ") {
				t.Errorf("%s %s: a value was refused by the template's escaping", p.Code(), pg.name)
			}
			for _, w := range pg.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s %s lacks %s", p.Code(), pg.name, w)
				}
			}
		}
	}
}
