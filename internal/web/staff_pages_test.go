package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

// TestDeskKeysInCatalogue proves every key the desk builds from a domain
// value (reasons, statuses, PIN kinds, fine kinds, hold states) or from
// its own lists is in the catalogue.
func TestDeskKeysInCatalogue(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range domainConstants(t, "Reason") {
		keys = append(keys, "desk.reason."+r)
	}
	for _, s := range domainConstants(t, "Status") {
		keys = append(keys, "desk.status."+s)
	}
	for _, k := range domainConstants(t, "PINKind") {
		keys = append(keys, "desk.pin."+k)
	}
	for _, k := range domainConstants(t, "FineKind") {
		keys = append(keys, "desk.fine."+k)
	}
	for _, h := range domainConstants(t, "HoldState") {
		keys = append(keys, "desk.hold."+h)
	}
	for _, d := range doneMessages {
		keys = append(keys, "desk.done."+d)
	}
	for _, k := range []string{"register", "reset"} {
		keys = append(keys, "desk.title.slip_"+k)
	}
	for _, k := range []string{"desk.login.failed", "desk.code.failed"} {
		keys = append(keys, k+".title", k+".body")
	}
	for _, k := range []string{"missing", "same", "pattern", "retired", "taken"} {
		keys = append(keys, "desk.card."+k)
	}
	for _, a := range []string{"loan.checkout", "loan.checkin", "pin.reset", "patron.register", "fine.waiver", "staff.signin", "hold.trap"} {
		keys = append(keys, "audit."+a)
	}
	for _, k := range keys {
		if !cat.Has(k) {
			t.Errorf("key %q is used but not in the catalogue", k)
		}
	}
}

// TestEveryStaffPageRenders renders every staff desk page with every
// optional part shown, in both languages, and looks for missing messages,
// and for the patron's navigation, which no staff page may show.
func TestEveryStaffPageRenders(t *testing.T) {
	s := newTestServer(t)
	loc := s.cfg.Location()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, loc)
	r := httptest.NewRequest("POST", "/staff/patrons/1/block", nil)
	v := &staffVisit{sess: library.StaffSession{Stage: library.StageActive, CSRFToken: "token"},
		staff: library.Staff{ID: 1, Username: "ada", Name: "Ho Wing Sze", Role: library.RoleAdmin}}
	pending := &staffVisit{sess: library.StaffSession{Stage: library.StageEnrol, CSRFToken: "token"}, staff: v.staff}

	patron := library.Patron{ID: 1, Barcode: "24031588", Category: "student", Name: "Wong Ka Yan", Email: "w@example.edu",
		RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31), BlockedReason: "lost the atlas",
		PIN: library.PINRecord{Kind: library.PINTemporary}}
	due := now.AddDate(0, 0, -4)
	item := library.Item{ID: 3, Barcode: "30000001", Title: "Introduction to Algorithms", Author: "Cormen", CallNumber: "QA76"}
	var reasons []library.RenewOutcome
	var lines []scanLine
	for _, reason := range domainConstants(t, "Reason") {
		rf := &library.Refusal{Reason: library.Reason(reason), Limit: 2, Balance: 6200, Threshold: 5000, ExpiredOn: library.NewDate(2026, 8, 31)}
		reasons = append(reasons, library.RenewOutcome{Item: item, Refusal: rf})
		lines = append(lines, scanLine{Kind: scanRefused, Item: "30000001", Title: "T"}.withRefusal(rf))
	}
	reasons = append(reasons, library.RenewOutcome{Item: item, Renewed: true, NewDue: due, Charged: 400})
	for _, kind := range []string{scanLent, scanOverridden, scanNoItem, scanNoPatron, scanAlreadyOut, scanStale, scanEmpty, scanReturned, scanNotOnLoan, "nonsense"} {
		lines = append(lines, scanLine{Kind: kind, Item: "30000001", Title: "T", Patron: "24031588", Date: "2026-12-12", Amount: 600,
			Override: "paid", HoldName: "Chan Tai Man", HoldBar: "24062953", HoldBy: "2026-12-05"})
	}
	hold := func(state library.HoldState) library.Hold {
		return library.Hold{ID: 9, PatronID: 1, Item: item, State: state, PlacedAt: now, PickupBy: now, Position: 2,
			PatronBarcode: "24062953", PatronName: "Chan Tai Man"}
	}
	var holds []library.Hold
	for _, st := range domainConstants(t, "HoldState") {
		holds = append(holds, hold(library.HoldState(st)))
	}
	audit := []library.AuditEntry{{ID: 1, At: now, Actor: "staff:ada", PatronID: 1, Action: "pin.reset", Detail: "temporary PIN", Addr: "192.0.2.1"},
		{ID: 2, At: now, Actor: "cli", Action: "something.new", Detail: "x"}}
	file := library.PatronFile{
		Record: library.Record{Patron: patron, Status: library.StatusBlocked, Today: library.DateOf(now, loc), FineBalance: 6200, AccruingTotal: 400,
			BorrowRefusal: &library.Refusal{Reason: library.ReasonBlocked}, Holds: holds,
			Loans: []library.LoanLine{
				{Loan: library.Loan{ID: 7, Item: item, DueAt: due, CheckedOutAt: due.AddDate(0, 0, -14), Renewals: 1}, OverdueDays: 4, DueInDays: -4, FineAccruing: 400},
				{Loan: library.Loan{ID: 8, Item: item, DueAt: now.AddDate(0, 0, 1)}, DueInDays: 1, RenewRefusal: &library.Refusal{Reason: library.ReasonOnHold}},
			}},
		Fines: []library.FineEntry{{Kind: library.FineCharge, Amount: 1000, CreatedAt: now}, {Kind: library.FinePayment, Amount: 300, CreatedAt: now, Note: "cash"},
			{Kind: library.FineWaiver, Amount: 100, CreatedAt: now, Note: "first time"}},
		Audit:          audit,
		FormerBarcodes: []library.FormerBarcode{{Barcode: "24000001", ReplacedAt: now}},
		LockedUntil:    now.Add(15 * time.Minute),
	}
	allFields := formErrors{}
	for _, f := range []string{"block_reason", "expires_on", "new_barcode", "item_barcode", "pay_amount", "pay_note", "waive_amount", "waive_note", "loans", "reset-pin"} {
		allFields = append(allFields, fieldError{f, m("desk.fine.amount_bad")})
	}
	patronPg := s.newPatronPage(r, v, file)
	patronPg.Flash = &msg{Key: "desk.done.registered"}
	patronPg.Errors = allFields
	patronPg.Results = s.deskRenewResults(reasons)
	holderFile := file
	holderFile.Record.Patron.RegisteredOn, holderFile.Record.Patron.BlockedReason = library.Date{}, ""
	holderFile.Record.FineBalance = 0
	holderPg := s.newPatronPage(r, v, holderFile)

	loginPg := s.newStaffLoginPage(r, nil, "staff_login")
	loginPg.SignedOut = true
	loginPg.Errors = formErrors{{"username", m("desk.login.username_missing")}, {"password", m("desk.login.password_missing")}}
	loginPg.Alert = &alert{m("desk.login.locked.title"), m("desk.login.locked.body", "time", i18n.Clock(now))}
	codePg := s.newStaffLoginPage(r, pending, "staff_code")
	codePg.Alert = &alert{m("desk.code.failed.title"), m("desk.code.failed.body")}
	codePg.Errors = formErrors{{"code", m("desk.code.missing")}}
	enrolPg := s.newEnrolPage(r, pending)
	if err := enrolPg.show(library.TOTPSetup{URL: "otpauth://totp/Library:ada?secret=JBSWY3DPEHPK3PXP&issuer=Library", Sealed: "v1:0011223344556677:c2VhbGVk"}); err != nil {
		t.Fatal(err)
	}
	enrolPg.Errors = formErrors{{"code", m("desk.enrol.code_wrong")}}
	enrolDone := s.newEnrolPage(r, v)
	enrolDone.Flash = true

	searchPg := &searchPage{base: s.staffBase(r, v, "staff_patrons", m("desk.title.patrons")), Query: "wong", Searched: true, Replaced: true,
		Errors: formErrors{{"q", m("desk.search.patron_missing")}}, Prev: "/p", Next: "/n",
		Patrons: []patronRow{{ID: 1, Name: "Wong", Barcode: "1", Category: s.categoryName("student"), Status: statusMsg(library.StatusActive)}}}
	editPg := s.newPatronEditPage(r, v, patron)
	editPg.Errors = formErrors{{"name", m("desk.edit.name_missing")}, {"email", m("desk.edit.email_bad")}, {"category", m("desk.edit.category_barcode", "hint", "8 digits")}}
	slips := []*slipPage{{Holder: patron, Kind: "register", PIN: "ACDEFGHJKM"}, {Holder: patron, Kind: "reset", PIN: "ACDEFGHJKM"}, {Holder: patron, Kind: "reset", Already: true}}
	for _, sp := range slips {
		sp.base = s.staffBase(r, v, "staff_slip", m("desk.title.slip_"+sp.Kind))
		sp.Valid = when(s.printer(r), now, loc)
	}
	checkout := &checkoutPage{base: s.staffBase(r, v, "staff_checkout", m("desk.title.checkout")), Request: "r",
		AtDesk: s.checkoutPatron(r, file.Record), Override: &overrideForm{Item: "30000001", Request: "r", Note: "x"},
		Errors: formErrors{{"override", m("desk.override.reason_missing")}}}
	checkout.AtDesk.Ready = []string{"A", "B"}
	checkout.Lines, checkout.Encoded = s.scanViews(lines), encodeScanLines(lines)
	checkoutStart := &checkoutPage{base: s.staffBase(r, v, "staff_checkout", m("desk.title.checkout"))}
	checkoutStart.Lines = s.scanViews(lines[:1])
	checkin := &checkinPage{base: s.staffBase(r, v, "staff_checkin", m("desk.title.checkin"))}
	checkin.Lines = s.scanViews(lines)
	st := library.ItemStatus{Item: item, Loan: library.Loan{ID: 1, DueAt: due}, PatronBarcode: "24031588"}
	state, class := s.itemState(st)
	itemsPg := &itemsPage{base: s.staffBase(r, v, "staff_items", m("desk.title.items")), Query: "x", Searched: true, Prev: "/p", Next: "/n",
		Errors: formErrors{{"q", m("desk.search.item_missing")}}, Items: []itemRow{{ID: 3, Title: "T", State: state, Class: class}}}
	itemPg := &itemPage{base: s.staffBase(r, v, "staff_item", m("desk.title.item", "title", "T")), F: library.ItemFile{Status: st, Holds: holds},
		It: item, State: state, Class: class, Flash: &msg{Key: "desk.done.item_added"}, Form: map[string]string{},
		Errors: formErrors{{"patron_barcode", m("desk.hold.patron_missing")}, {"withdraw_reason", m("desk.fine.note_bad")}}}
	for _, h := range holds {
		itemPg.Holds = append(itemPg.Holds, s.holdRow(h, now))
	}
	itemForm := &itemFormPage{base: s.staffBase(r, v, "staff_item_form", m("desk.title.item_new")), ID: 3, It: item,
		Errors: formErrors{{"barcode", m("desk.item.barcode_taken", "barcode", "1")}, {"title", m("desk.item.title_missing")}, {"author", m("desk.item.field_bad")},
			{"call_number", m("desk.item.field_bad")}, {"location", m("desk.item.field_bad")}}}
	newItem := &itemFormPage{base: s.staffBase(r, v, "staff_item_form", m("desk.title.item_new"))}
	shelf := &holdShelfPage{base: s.staffBase(r, v, "staff_holds", m("desk.title.holds")), Flash: &msg{Key: "desk.done.hold_cancelled_next"}}
	for _, h := range holds {
		shelf.Holds = append(shelf.Holds, s.holdRow(h, now.Add(time.Hour)))
	}
	auditPg := &auditPage{base: s.staffBase(r, v, "staff_audit", m("desk.title.audit")), Actions: auditActions, Rows: s.auditRows(audit),
		First: "/staff/audit", Next: "/staff/audit?before=1", Filter: auditForm{Patron: "1", Actor: "ada", Action: "pin.", From: "2026-11-01", Until: "2026-11-28"},
		Errors: formErrors{{"patron", m("desk.scan.no_patron", "barcode", "1")}, {"from", m("desk.audit.bad_date")}, {"until", m("desk.audit.bad_period")}}}
	errPg := &errorPage{base: s.staffBase(r, nil, "error", errDenied.title), Body: errDenied.body, Back: "/staff", BackLabel: m("desk.error.back")}

	pages := []struct {
		name string
		data any
	}{
		{"staff_login", loginPg}, {"staff_code", codePg}, {"staff_enrol", enrolPg}, {"staff_enrol", enrolDone},
		{"staff_home", &searchPage{base: s.staffBase(r, v, "staff_home", m("desk.title.home"))}},
		{"staff_patrons", searchPg}, {"staff_patron", patronPg}, {"staff_patron", holderPg}, {"staff_patron_edit", editPg},
		{"staff_checkout", checkout}, {"staff_checkout", checkoutStart}, {"staff_checkin", checkin},
		{"staff_items", itemsPg}, {"staff_item", itemPg}, {"staff_item_form", itemForm}, {"staff_item_form", newItem},
		{"staff_holds", shelf}, {"staff_audit", auditPg}, {"error", errPg},
	}
	for _, sp := range slips {
		pages = append(pages, struct {
			name string
			data any
		}{"staff_slip", sp})
	}
	for _, p := range s.cat.Printers() {
		for _, pg := range pages {
			var b strings.Builder
			if err := s.pages[p.Code()][pg.name].ExecuteTemplate(&b, "layout", pg.data); err != nil {
				t.Fatalf("%s %s: %v", p.Code(), pg.name, err)
			}
			out := b.String()
			if i := strings.Index(out, i18n.MissingMarker); i >= 0 {
				t.Errorf("%s %s: %s", p.Code(), pg.name, out[i:min(len(out), i+80)])
			}
			if strings.Contains(out, `action="/account/logout"`) {
				t.Errorf("%s %s shows the patron's navigation", p.Code(), pg.name)
			}
			if strings.Contains(out, "#ZgotmplZ") {
				t.Errorf("%s %s: a value was refused by the template's escaping", p.Code(), pg.name)
			}
		}
	}
	// The admin's page has the waiver form; the card holder's, registration.
	var b strings.Builder
	if err := s.pages[i18n.English]["staff_patron"].ExecuteTemplate(&b, "layout", patronPg); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/staff/patrons/1/waiver", "lost the atlas", "24000001", "paused after failed sign-ins, until 10:15",
		"Blocked because", "Renewed 1 of", "Ho Wing Sze (admin)", `action="/staff/logout"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("patron page lacks %q", want)
		}
	}
}

// TestStaffGetPath proves the language switch on every POST answer returns
// to a page a GET can show.
func TestStaffGetPath(t *testing.T) {
	mux := http.NewServeMux()
	for _, rt := range staffRoutes {
		if strings.HasPrefix(rt.pattern, "GET ") {
			mux.HandleFunc(rt.pattern, func(http.ResponseWriter, *http.Request) {})
		}
	}
	for _, rt := range staffRoutes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.Replace(path, "{id}", "12", 1)
		got := staffGetPath(path, method)
		if _, pattern := mux.Handler(httptest.NewRequest("GET", got, nil)); pattern == "" {
			t.Errorf("%s: the language switch returns to %s, which is no page", rt.pattern, got)
		}
	}
}

// TestStaffNext checks where a sign-in may lead: staff pages of this site only.
func TestStaffNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "/staff",
		"/staff/patrons/12":          "/staff/patrons/12",
		"/staff/items?q=a+b":         "/staff/items?q=a+b",
		"/staff/login?next=/staff":   "/staff",
		"/account":                   "/staff",
		"//evil.example/staff":       "/staff",
		"https://evil.example/staff": "/staff",
		"/staffroom":                 "/staff",
		"/staff/../account":          "/staff",
		"/staff/./patrons":           "/staff/patrons",
	} {
		if got := staffNext(in); got != want {
			t.Errorf("staffNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseMoney checks the amounts staff may type.
func TestParseMoney(t *testing.T) {
	for in, want := range map[string]library.Money{"12": 1200, "12.5": 1250, "12.50": 1250, "HKD 1,012.50": 101250, "$3": 300, ".5": 50, " 0.01 ": 1, "12.": 1200} {
		if got, ok := parseMoney(in); !ok || got != want {
			t.Errorf("parseMoney(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "ten", "1.234", "-5", "1e3", "1 2", "99999999999999"} {
		if got, ok := parseMoney(bad); ok {
			t.Errorf("parseMoney(%q) = %d, want refused", bad, got)
		}
	}
}

// TestScanLinesCarried checks the running list survives its trip through
// a hidden field, keeps at most maxScanLines, and that a list that cannot
// be read starts again.
func TestScanLinesCarried(t *testing.T) {
	var lines []scanLine
	var enc string
	for i := range maxScanLines + 5 {
		lines, enc = addScanLine(readScanLines(enc), scanLine{Kind: scanLent, Item: string(rune('A' + i%26))})
	}
	got := readScanLines(enc)
	if len(got) != maxScanLines || got[0] != lines[0] {
		t.Errorf("carried %d lines, first %+v", len(got), got[0])
	}
	if readScanLines("{not json") != nil || readScanLines("") != nil {
		t.Error("an unreadable list was not started again")
	}
}

// TestStaffSessionCookieOverTLS checks the staff cookie over TLS: __Host-
// prefixed, Secure, host-only, for the whole site.
func TestStaffSessionCookieOverTLS(t *testing.T) {
	s := newTestServer(t)
	if c := s.cookie(staffSessions, "x"); c.Name != "carrel_staff" || c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Errorf("plain HTTP staff cookie: %+v", c)
	}
	s.tls = true
	c := s.cookie(staffSessions, "x")
	if c.Name != "__Host-carrel_staff" || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" {
		t.Errorf("TLS staff cookie: %+v", c)
	}
	if c.Name == s.sessionCookieName() {
		t.Error("staff and patron cookies share a name")
	}
}
