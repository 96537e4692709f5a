package sip2_test

import (
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// requirePINLibrary has a patron with a PIN of their own, three loans (one
// overdue), a fine and a hold: a record with something in every list.
func requirePINLibrary(t *testing.T, target storagetest.Target) (*testLibrary, library.Patron) {
	t.Helper()
	l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.chosenPIN(p, "correct horse")
	other := l.patron("20240002", "Lee Siu Ming", nil)
	l.loan(p, "B0001", "Call to Arms", today.AddDays(-30), today.AddDays(-3))
	l.loan(p, "B0002", "Wandering", today.AddDays(-5), today.AddDays(9))
	lent := l.loan(other, "B0003", "Old Tales Retold", today.AddDays(-2), today.AddDays(12))
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: 1250, Note: "overdue", CreatedAt: l.clock()})
	})
	if _, err := l.svc.PlaceHold(l.ctx, library.CommandLine, p.ID, lent.Item.Barcode); err != nil {
		t.Fatal(err)
	}
	return l, p
}

// TestPatronInformationRequiresPIN proves the require-PIN policy of a SIP2
// account, on both databases: with it (every new account's default), a
// 63 without AD, with AD empty and with a wrong PIN get the very same 64,
// byte for byte: CQN, the wrong-PIN message, and no name, counts, flags,
// limits, items or fines. Leaving the PIN out is no guess, so it counts no
// failure against the patron: after more of them than the throttle
// allows, the right PIN is still accepted. An account set to
// --no-require-pin shows the record without a PIN, as before.
func TestPatronInformationRequiresPIN(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l, p := requirePINLibrary(t, target)
			record := []string{"Chan Tai Man", "B0001", "B0002", "B0003", "12.50"}
			summaries := []string{"          ", "Y         ", " Y        ", "  Y       ", "   Y      ", "     Y    "}
			c := l.kiosk()
			for _, s := range summaries {
				wrong := c.do(patronInfoReq("001", s, p.Barcode, "AC|ADwrong horse|"))
				wrong.want(t, "CQ", "N")
				wrong.want(t, "AF", "The patron barcode or PIN is not right.")
				wrong.want(t, "AE", "")
				wrong.want(t, "BL", "Y")
				if flags, counts := wrong.fixed[0:14], wrong.fixed[35:59]; flags != "YYYY          " || counts != strings.Repeat("0", 24) {
					t.Errorf("summary %q, wrong PIN: flags %q, counts %q", s, flags, counts)
				}
				for _, d := range record {
					if strings.Contains(wrong.raw, d) {
						t.Errorf("summary %q, wrong PIN: the reply shows %q: %q", s, d, wrong.raw)
					}
				}
				for name, fields := range map[string]string{"no AD": "AC|", "AD empty": "AC|AD|"} {
					if got := c.do(patronInfoReq("001", s, p.Barcode, fields)); got.raw != wrong.raw {
						t.Errorf("summary %q, %s: %q\nwant the wrong PIN's reply %q", s, name, got.raw, wrong.raw)
					}
				}
			}
			// Many more requests without a PIN than the throttle allows
			// failures: none is counted, and the right PIN still works.
			for range 2 * l.cfg.Throttle.MaxFailures {
				c.do(patronInfoReq("001", "          ", p.Barcode, "AC|"))
				c.do(patronInfoReq("001", "          ", p.Barcode, "AC|AD|"))
			}
			failed := 0
			for _, e := range l.audit(p) {
				if e.Action == "signin.failed" {
					failed++
				}
			}
			if failed != len(summaries) {
				t.Errorf("%d failed PINs recorded, want the %d wrong PINs alone", failed, len(summaries))
			}
			got := c.do(patronInfoReq("001", "  Y       ", p.Barcode, "AC|ADcorrect horse|"))
			got.want(t, "CQ", "Y")
			got.want(t, "AE", "Chan Tai Man")
			if au := strings.Join(got.fields["AU"], ","); au != "B0001,B0002" {
				t.Errorf("charged items with the right PIN: %q", au)
			}

			// A self-check that only scans cards: the record without a PIN.
			l.cardOnlyKiosk()
			card := l.kiosk()
			got = card.do(patronInfoReq("001", "  Y       ", p.Barcode, "AC|"))
			got.want(t, "AE", "Chan Tai Man")
			got.want(t, "BV", "12.50")
			if au := strings.Join(got.fields["AU"], ","); au != "B0001,B0002" {
				t.Errorf("charged items without a PIN on a card-only account: %q", au)
			}
			if _, ok := got.field("CQ"); ok {
				t.Errorf("CQ without AD: %q", got.raw)
			}
			// A wrong PIN still withholds the record there.
			got = card.do(patronInfoReq("001", "  Y       ", p.Barcode, "AC|ADwrong horse|"))
			got.want(t, "AE", "")
			got.want(t, "CQ", "N")
		})
	}
}

// TestRequirePINReachesOpenConnections proves that a change of an
// account's policy reaches a machine that stays connected: within a
// minute, when the connection reads its account again.
func TestRequirePINReachesOpenConnections(t *testing.T) {
	l, p := requirePINLibrary(t, storagetest.Targets()[0])
	l.cardOnlyKiosk()
	c := l.kiosk()
	c.do(patronInfoReq("001", "          ", p.Barcode, "AC|")).want(t, "AE", "Chan Tai Man")
	yes := true
	if _, err := l.svc.ChangeSIPAccount(l.ctx, kioskLogin, library.SIPAccountChange{RequirePIN: &yes}); err != nil {
		t.Fatal(err)
	}
	l.advance(time.Minute)
	got := c.do(patronInfoReq("001", "          ", p.Barcode, "AC|"))
	got.want(t, "AE", "")
	got.want(t, "CQ", "N")
}

// TestPatronStatusAndItemInformationUnderRequirePIN pins down what the
// policy leaves alone. 23 Patron Status is what a security gate or a
// PC-booking proxy asks with a card alone, and SIP2 defines its reply as
// the patron's standing: valid patron, name and fine balance, no items;
// it keeps them. 17 Item Information names no borrower and no holder, so
// there is nothing of a patron's to withhold.
func TestPatronStatusAndItemInformationUnderRequirePIN(t *testing.T) {
	l, p := requirePINLibrary(t, storagetest.Targets()[0])
	c := l.kiosk()
	got := c.do(patronStatusReq(p.Barcode, "AC|"))
	got.want(t, "BL", "Y")
	got.want(t, "AE", "Chan Tai Man")
	got.want(t, "BV", "12.50")
	for _, item := range []string{"B0001", "B0002", "B0003"} {
		got = c.do("17" + sipDate() + "AO" + institution + "|AB" + item + "|")
		if got.code != "18" || strings.Contains(got.raw, "2024000") || strings.Contains(got.raw, "Chan") || strings.Contains(got.raw, "Lee") {
			t.Errorf("item information of %s: %q, want no patron named", item, got.raw)
		}
	}
}
