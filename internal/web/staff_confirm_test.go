package web_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// confirmStep checks that res is the page asking to confirm the action
// posting to action, changing nothing yet, and sends its Confirm form.
func (c *client) confirmStep(res response, action string) response {
	c.t.Helper()
	if res.status != http.StatusOK {
		c.t.Fatalf("%s: want the confirmation page, got %d\n%s", action, res.status, text(res.body))
	}
	f := form(c.t, res.body, action)
	if f.Get("confirm") != "yes" {
		c.t.Fatalf("%s: the confirmation page's form carries no confirm field\n%s", action, text(res.body))
	}
	return c.post(action, f)
}

// patronNow reads the patron as stored.
func (l *testLibrary) patronNow(id int64) library.Patron {
	l.t.Helper()
	var p library.Patron
	l.update(func(tx library.Tx) error {
		var err error
		p, err = tx.PatronByID(id)
		return err
	})
	return p
}

// TestStaffResetPINAsksFirst proves that Reset PIN on the patron page only
// asks: the patron's PIN and sessions are untouched until the
// confirmation page's own form, with its confirm field and the CSRF
// token, is sent. Cancel goes back to the patron's page.
func TestStaffResetPINAsksFirst(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("25017342", "Lam Chi Ho", nil)
	l.chosenPIN(p, "reading-room-7")
	reader := l.client()
	reader.mustSignIn(p.Barcode, "reading-room-7", "/account")
	desk := l.staffClient(l.staff("dee", library.RoleDesk))
	purl := "/staff/patrons/" + strconv.FormatInt(p.ID, 10)

	page := desk.get(purl)
	res := desk.submit(page.body, purl+"/reset-pin")
	if res.status != http.StatusOK {
		t.Fatalf("Reset PIN: %d\n%s", res.status, text(res.body))
	}
	mustContain(t, text(res.body), "Reset the PIN of Lam Chi Ho (25017342)?", "signed out everywhere", "Yes, reset the PIN", "Cancel")
	mustContain(t, res.body, `id="cancel"`, `href="`+purl+`"`)
	mustNotContain(t, res.body, `id="slip-pin"`)
	if got := l.pinOf(p).Kind; got != library.PINChosen {
		t.Fatalf("the PIN changed before the confirmation: %s", got)
	}
	if got := reader.get("/account"); got.status != http.StatusOK {
		t.Fatalf("the patron was signed out before the confirmation: %d", got.status)
	}

	// The confirming form without the CSRF token does nothing.
	confirm := form(t, res.body, purl+"/reset-pin")
	if bad := desk.post(purl+"/reset-pin", with(confirm, "csrf", "forged")); bad.status != http.StatusForbidden {
		t.Errorf("confirm with a forged CSRF token: %d", bad.status)
	}
	if got := l.pinOf(p).Kind; got != library.PINChosen {
		t.Fatalf("the PIN changed on a forged confirmation: %s", got)
	}

	res = desk.post(purl+"/reset-pin", confirm)
	if res.status != http.StatusOK {
		t.Fatalf("confirm: %d\n%s", res.status, text(res.body))
	}
	pinOnSlip(t, res.body)
	if got := l.pinOf(p).Kind; got != library.PINTemporary {
		t.Errorf("after the confirmation the PIN is %s, want temporary", got)
	}
	if got := reader.get("/account"); got.status == http.StatusOK {
		t.Errorf("the patron is still signed in after the reset")
	}
}

// TestStaffRegisterAsksFirstWithCategoryExpiry proves that Complete
// registration asks first, prefills the category's default expiry date
// in the library's format (DD/MM/YYYY), applies that default when the
// field is left empty, takes a date typed as DD/MM/YYYY or YYYY-MM-DD,
// and refuses a bad or past date with a clear message, changing nothing.
func TestStaffRegisterAsksFirstWithCategoryExpiry(t *testing.T) {
	l := newLibrary(t, nil)
	desk := l.staffClient(l.staff("dee", library.RoleDesk))
	holder := func(barcode, name string) (library.Patron, string) {
		p := l.patron(barcode, name, func(p *library.Patron) {
			p.RegisteredOn, p.ExpiresOn, p.PIN = library.Date{}, library.Date{}, library.PINRecord{Kind: library.PINNone}
		})
		return p, "/staff/patrons/" + strconv.FormatInt(p.ID, 10)
	}

	// Today is 28 Nov 2026; a student card is valid 12 months: to 27 Nov 2027.
	p, purl := holder("25017342", "Lam Chi Ho")
	page := desk.get(purl)
	if got := form(t, page.body, purl+"/register").Get("reg_expires"); got != "27/11/2027" {
		t.Errorf("expiry field prefilled with %q, want 27/11/2027", got)
	}
	mustContain(t, text(page.body), "Left empty, the Student category's default applies: 27/11/2027")
	res := desk.submit(page.body, purl+"/register", "reg_expires", "")
	mustContain(t, text(res.body), "Complete the registration of Lam Chi Ho (25017342)?", "valid until 27 Nov 2027", "Yes, complete registration")
	if got := l.patronNow(p.ID); got.Registered() {
		t.Fatal("registered before the confirmation")
	}
	res = desk.confirmStep(res, purl+"/register")
	if res.status != http.StatusSeeOther {
		t.Fatalf("confirm registration: %d\n%s", res.status, text(res.body))
	}
	if got := l.patronNow(p.ID); !got.Registered() || got.ExpiresOn != library.NewDate(2027, 11, 27) {
		t.Errorf("registered %v, expires %s; want registered, expiring 2027-11-27", got.Registered(), got.ExpiresOn)
	}

	// A date typed in either form.
	for _, tt := range []struct{ barcode, typed string }{{"25017343", "31/08/2027"}, {"25017344", "2027-08-31"}, {"25017345", " 31/8/2027 "}} {
		p, purl := holder(tt.barcode, "Typed "+tt.barcode)
		res := desk.submit(desk.get(purl).body, purl+"/register", "reg_expires", tt.typed)
		mustContain(t, text(res.body), "valid until 31 Aug 2027")
		desk.confirmStep(res, purl+"/register")
		if got := l.patronNow(p.ID).ExpiresOn; got != library.NewDate(2027, 8, 31) {
			t.Errorf("typed %q: expires %s, want 2027-08-31", tt.typed, got)
		}
	}

	// Bad dates: a clear message, the typed text kept, nothing changed.
	p, purl = holder("25017346", "Bad Date")
	for typed, want := range map[string]string{
		"31/02/2027": "Enter a date such as 31/08/2027 (DD/MM/YYYY) or 2027-08-31, or leave it empty",
		"08-31-2027": "Enter a date such as 31/08/2027 (DD/MM/YYYY) or 2027-08-31, or leave it empty",
		"01/01/2020": "The expiry date 1 Jan 2020 has already passed",
	} {
		res := desk.submit(desk.get(purl).body, purl+"/register", "reg_expires", typed)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%q: status %d, want 422", typed, res.status)
		}
		mustContain(t, text(res.body), want)
		mustContain(t, res.body, `value="`+typed+`"`)
		mustNotContain(t, res.body, `name="confirm"`)
		if got := l.patronNow(p.ID); got.Registered() || !got.ExpiresOn.IsZero() {
			t.Errorf("%q: the patron changed: %+v", typed, got)
		}
	}
}

// TestStaffExpiryInLibraryFormat proves the expiry date field shows the
// date as DD/MM/YYYY in a text field (a date field shows the browser's
// format and takes no DD/MM/YYYY typed), and takes that or an ISO date;
// a bad date gets a clear message and changes nothing.
func TestStaffExpiryInLibraryFormat(t *testing.T) {
	l := newLibrary(t, nil)
	p := l.patron("25017342", "Lam Chi Ho", nil) // expires 31 Aug 2028
	desk := l.staffClient(l.staff("dee", library.RoleDesk))
	purl := "/staff/patrons/" + strconv.FormatInt(p.ID, 10)
	page := desk.get(purl)
	mustContain(t, page.body, `id="expires_on" name="expires_on" type="text"`)
	if got := form(t, page.body, purl+"/expiry").Get("expires_on"); got != "31/08/2028" {
		t.Errorf("expiry shown as %q, want 31/08/2028", got)
	}
	mustContain(t, text(page.body), "Type it as DD/MM/YYYY, e.g. 31/08/2027")
	for typed, want := range map[string]library.Date{"30/06/2029": library.NewDate(2029, 6, 30), "2029-07-31": library.NewDate(2029, 7, 31)} {
		res := desk.submit(desk.get(purl).body, purl+"/expiry", "expires_on", typed)
		if res.status != http.StatusSeeOther {
			t.Fatalf("%q: %d\n%s", typed, res.status, text(res.body))
		}
		if got := l.patronNow(p.ID).ExpiresOn; got != want {
			t.Errorf("%q: expires %s, want %s", typed, got, want)
		}
	}
	res := desk.submit(desk.get(purl).body, purl+"/expiry", "expires_on", "31/13/2029")
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("bad date: %d", res.status)
	}
	mustContain(t, text(res.body), "Enter a date such as 31/08/2027 (DD/MM/YYYY) or 2027-08-31")
	if got := l.patronNow(p.ID).ExpiresOn; got != library.NewDate(2029, 7, 31) {
		t.Errorf("a bad date changed the expiry to %s", got)
	}
}
