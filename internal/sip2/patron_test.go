package sip2_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
)

func TestPatronStatus(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	chosen := l.patron("20240001", "Chan Tai Man", nil)
	l.chosenPIN(chosen, "correct horse")
	l.patron("20240002", "Wong Siu Ming", nil) // still on the barcode preset
	l.patron("20240003", "Card Holder", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
	c := l.kiosk()

	tests := []struct {
		name, barcode, fields string
		status                string // the first four flags
		bl, cq, ae            string // "" for CQ: absent
		af                    string // part of the screen message
	}{
		{"unknown patron", "29999999", "AC|", "YYYY", "N", "", "", "not recognised"},
		{"unknown patron with PIN", "29999999", "AC|ADcorrect horse|", "YYYY", "N", "N", "", "not right"},
		{"wrong PIN", "20240001", "AC|ADwrong horse|", "    ", "Y", "N", "Chan Tai Man", "not right"},
		{"right PIN", "20240001", "AC|ADcorrect horse|", "    ", "Y", "Y", "Chan Tai Man", ""},
		{"right PIN, client omits AC", "20240001", "ADcorrect horse|", "    ", "Y", "Y", "Chan Tai Man", ""},
		{"no PIN", "20240001", "", "    ", "Y", "", "Chan Tai Man", ""},
		{"empty PIN", "20240001", "AD|", "    ", "Y", "N", "Chan Tai Man", ""},
		{"preset PIN refused", "20240002", "AD20240002|", "    ", "Y", "N", "Wong Siu Ming", "Set your own PIN in My Account first"},
		{"card holder", "20240003", "AD20240003|", "YYYY", "Y", "N", "Card Holder", "register with library staff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.do(patronStatusReq(tt.barcode, tt.fields))
			if got.code != "24" || got.fixed[:4] != tt.status {
				t.Errorf("status %q, want %q: %q", got.fixed[:4], tt.status, got.raw)
			}
			got.want(t, "BL", tt.bl)
			got.want(t, "AE", tt.ae)
			if tt.cq == "" {
				if _, ok := got.field("CQ"); ok {
					t.Errorf("CQ present without AD: %q", got.raw)
				}
			} else {
				got.want(t, "CQ", tt.cq)
			}
			if tt.af != "" {
				got.wantContains(t, "AF", tt.af)
			}
			got.want(t, "BH", "HKD")
		})
	}
	if strings.Contains(l.log.String(), "horse") {
		t.Errorf("log holds a PIN:\n%s", l.log)
	}
}

// TestPINThrottleSharedWithWeb proves SIP2 PIN failures count in the same
// per-barcode throttle as web sign-in, both ways.
func TestPINThrottleSharedWithWeb(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.chosenPIN(p, "correct horse")
	c := l.kiosk()
	max := l.cfg.Throttle.MaxFailures
	for i := 0; i < max; i++ {
		got := c.do(patronStatusReq("20240001", "ADwrong horse|"))
		got.want(t, "CQ", "N")
	}
	// The barcode is now locked: the right PIN gets CQN over SIP2...
	got := c.do(patronStatusReq("20240001", "ADcorrect horse|"))
	got.want(t, "CQ", "N")
	got.wantContains(t, "AF", "paused until")
	// ...and on the web.
	var locked *library.LockedError
	if _, err := l.svc.SignIn(l.ctx, "20240001", "correct horse", "192.0.2.1"); !errors.As(err, &locked) {
		t.Errorf("web sign-in after SIP2 failures: %v, want locked", err)
	}

	// The other way: web failures lock SIP2.
	q := l.patron("20240002", "Wong Siu Ming", nil)
	l.chosenPIN(q, "battery staple")
	for i := 0; i < max; i++ {
		if _, err := l.svc.SignIn(l.ctx, "20240002", "wrong", "192.0.2.1"); err == nil {
			t.Fatal("wrong PIN signed in")
		}
	}
	got = c.do(patronStatusReq("20240002", "ADbattery staple|"))
	got.want(t, "CQ", "N")

	// Unknown barcodes are throttled the same way, so they cannot be told apart.
	for i := 0; i < max; i++ {
		c.do(patronStatusReq("29999999", "ADwhatever|"))
	}
	got = c.do(patronStatusReq("29999999", "ADwhatever|"))
	got.wantContains(t, "AF", "paused until")
	got.want(t, "CQ", "N")
}

func TestPatronInformation(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.chosenPIN(p, "correct horse")
	l.loan(p, "B0001", "Call to Arms", today.AddDays(-30), today.AddDays(-3)) // 3 days overdue
	l.loan(p, "B0002", "Wandering", today.AddDays(-5), today.AddDays(9))
	l.loan(p, "B0003", "Old Tales Retold", today.AddDays(-2), today.AddDays(12))
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: 1250, Note: "overdue"})
	})
	c := l.kiosk()

	got := c.do(patronInfoReq("001", "  Y       ", "20240001", "AC|ADcorrect horse|"))
	if got.code != "64" {
		t.Fatalf("%q", got.raw)
	}
	// hold, overdue, charged, fine, recall, unavailable counts
	if counts := got.fixed[35:59]; counts != "000000010003000100000000" {
		t.Errorf("counts %q", counts)
	}
	got.want(t, "BL", "Y")
	got.want(t, "CQ", "Y")
	got.want(t, "AE", "Chan Tai Man")
	got.want(t, "BV", "12.50")
	got.want(t, "CB", "0010")
	if au := strings.Join(got.fields["AU"], ","); au != "B0001,B0002,B0003" {
		t.Errorf("charged items %q", au)
	}
	// A range of the list (BP..BQ, one-based) and another list.
	got = c.do(patronInfoReq("001", "  Y       ", "20240001", "BP2|BQ2|ADcorrect horse|"))
	if au := strings.Join(got.fields["AU"], ","); au != "B0002" {
		t.Errorf("charged items 2..2: %q", au)
	}
	got = c.do(patronInfoReq("001", " Y        ", "20240001", "ADcorrect horse|"))
	if at := strings.Join(got.fields["AT"], ","); at != "B0001" {
		t.Errorf("overdue items %q", at)
	}
	got = c.do(patronInfoReq("001", "   Y      ", "20240001", "ADcorrect horse|"))
	if av := strings.Join(got.fields["AV"], ","); av != "3.00 B0001" {
		t.Errorf("fine items %q", av)
	}

	// In Chinese when the request asks for it (019), the language echoed;
	// a self-check that only scans cards is told a card is unknown.
	l.cardOnlyKiosk()
	c = l.kiosk()
	got = c.do(patronInfoReq("019", "          ", "29999999", ""))
	if got.fixed[14:17] != "019" {
		t.Errorf("language %q", got.fixed[14:17])
	}
	got.wantContains(t, "AF", "未能識別")
	got.want(t, "BL", "N")
	got.want(t, "AE", "")
}

func TestEndPatronSession(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	c := l.kiosk()
	got := c.do("35" + sipDate() + "AO" + institution + "|AA20240001|")
	if got.code != "36" || got.fixed[0] != 'Y' {
		t.Errorf("%q", got.raw)
	}
	got.want(t, "AA", "20240001")
}

func TestBlockPatron(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	p := l.patron("20240001", "Chan Tai Man", nil)
	c := l.kiosk()
	got := c.do("01N" + sipDate() + "AO" + institution + "|ALCard retained|AA20240001|AC|")
	if got.code != "24" || got.fixed[0] != 'Y' {
		t.Fatalf("block: %q", got.raw)
	}
	got.want(t, "BL", "Y")
	rec, err := l.svc.BorrowingRecord(l.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Patron.BlockedReason == "" || !strings.Contains(rec.Patron.BlockedReason, "Card retained") {
		t.Errorf("blocked reason %q", rec.Patron.BlockedReason)
	}
	if es := l.audit(p); len(es) == 0 || es[0].Action != "patron.block" || es[0].Actor != "sip2:"+kioskLogin {
		t.Errorf("audit %+v", es)
	}
	// An unknown barcode blocks nothing and is answered as unknown.
	got = c.do("01N" + sipDate() + "AO" + institution + "|AL|AA29999999|AC|")
	got.want(t, "BL", "N")
}
