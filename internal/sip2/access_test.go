package sip2_test

import (
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
)

// TestPatronInformationWithAnotherPatronsPIN proves that a kiosk asking
// for patron B's information with patron A's PIN learns nothing of B's
// record, whichever list it asks for: no name, no counts, no items, no
// fines, no privileges; only that the PIN is not right. With B's own PIN
// the same requests do show B's record.
func TestPatronInformationWithAnotherPatronsPIN(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	a := l.patron("20240001", "Chan Tai Man", nil)
	l.chosenPIN(a, "correct horse")
	b := l.patron("20240002", "Lee Siu Ming", nil)
	l.chosenPIN(b, "battery staple")
	lent := l.loan(a, "B0001", "Call to Arms", today.AddDays(-5), today.AddDays(9))
	l.loan(b, "B0002", "Wandering", today.AddDays(-30), today.AddDays(-3)) // overdue, fined
	l.loan(b, "B0003", "Old Tales Retold", today.AddDays(-2), today.AddDays(12))
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: b.ID, Kind: library.FineCharge, Amount: 1250, Note: "overdue", CreatedAt: l.clock()})
	})
	if _, err := l.svc.PlaceHold(l.ctx, library.CommandLine, b.ID, lent.Item.Barcode); err != nil {
		t.Fatal(err)
	}
	// Every list a 63 can ask for, and none.
	summaries := []string{"          ", "Y         ", " Y        ", "  Y       ", "   Y      ", "    Y     ", "     Y    "}
	bsRecord := []string{"Lee Siu Ming", "B0001", "B0002", "B0003", "12.50", "3.00"}

	// With B's own PIN the kiosk sees B's record: the data is there to leak.
	own := l.kiosk()
	seen := ""
	for _, s := range summaries {
		got := own.do(patronInfoReq("001", s, b.Barcode, "AC|ADbattery staple|"))
		got.want(t, "CQ", "Y")
		seen += got.raw
	}
	for _, d := range bsRecord {
		if !strings.Contains(seen, d) {
			t.Errorf("B's own PIN does not show %q", d)
		}
	}

	c := l.kiosk()
	for _, s := range summaries {
		got := c.do(patronInfoReq("001", s, b.Barcode, "AC|ADcorrect horse|"))
		if got.code != "64" {
			t.Fatalf("summary %q: %q", s, got.raw)
		}
		got.want(t, "CQ", "N")
		got.want(t, "AE", "")
		if flags := got.fixed[0:14]; flags != "YYYY          " {
			t.Errorf("summary %q: flags %q, want every privilege denied and nothing else", s, flags)
		}
		if counts := got.fixed[35:59]; counts != strings.Repeat("0", 24) {
			t.Errorf("summary %q: counts %q, want none", s, counts)
		}
		for _, tag := range []string{"AS", "AT", "AU", "AV", "CD", "BV", "BZ", "CB"} {
			if v, ok := got.field(tag); ok {
				t.Errorf("summary %q: %s=%q shows B's record", s, tag, v)
			}
		}
		for _, d := range bsRecord {
			if strings.Contains(got.raw, d) {
				t.Errorf("summary %q: the reply shows B's %q: %q", s, d, got.raw)
			}
		}
	}
	if n := len(l.openLoans(b)); n != 2 {
		t.Errorf("B has %d loans after the requests", n)
	}
}

// TestInstitutionFieldDoesNotChangeTheAccount proves that the institution
// a request names (AO) never changes which SIP2 account acts. Carrel
// serves one library: patrons and items belong to no institution, so an
// account's institution is the name it answers with, and what binds a
// connection is its login. A kiosk logged in as one account that names
// another account's institution still acts, and is recorded, as itself;
// and a connection that has not logged in is answered only for an
// institution whose account needs no login.
func TestInstitutionFieldDoesNotChangeTheAccount(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	if _, err := l.svc.AddSIPAccount(l.ctx, legacyAccount(), "legacy-secret"); err != nil {
		t.Fatal(err)
	}
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.item("B0001", "Call to Arms")

	c := l.kiosk()
	other := strings.ReplaceAll(patronInfoReq("001", "          ", p.Barcode, ""), "AO"+institution, "AOLEGACY")
	got := c.do(other)
	got.want(t, "AO", institution)
	checkout := strings.ReplaceAll(checkoutReq(p.Barcode, "B0001"), "AO"+institution, "AOLEGACY")
	got = c.do(checkout)
	if got.code != "12" || got.fixed[0] != '1' {
		t.Fatalf("checkout: %q", got.raw)
	}
	got.want(t, "AO", institution)
	es := l.audit(p)
	if len(es) == 0 || es[0].Actor != "sip2:"+kioskLogin {
		t.Errorf("checkout recorded as %+v, want by sip2:%s", es, kioskLogin)
	}

	// Without a login: an institution whose account needs one is refused,
	// one whose account needs none is that account, nothing more.
	refused := l.dial()
	refused.send(checkinReq("B0001"))
	if !refused.closed() {
		t.Error("a connection without a login was answered for an institution whose account needs one")
	}
	legacy := l.dial()
	got = legacy.do(strings.ReplaceAll(patronStatusReq(p.Barcode, ""), "AO"+institution, "AOLEGACY"))
	got.want(t, "AO", "LEGACY")
	if n := len(l.openLoans(p)); n != 1 {
		t.Errorf("the patron has %d loans, want the one checkout", n)
	}
}
