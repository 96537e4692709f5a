package sip2_test

import (
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
)

// TestBlockNoticeOnScreen proves the kiosk's screen message tells a
// blocked patron what staff chose to show, with the way out and in the
// kiosk's language, once the patron's PIN is accepted; a request with
// the barcode alone (a gate) gets the neutral "contact library staff",
// and a message not ticked is never shown.
func TestBlockNoticeOnScreen(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	desk := library.Actor{Name: "staff:dee", StaffID: 1, Role: library.RoleDesk}
	told := l.patron("20240001", "Chan Tai Man", nil)
	l.chosenPIN(told, "correct horse")
	quiet := l.patron("20240002", "Wong Siu Ming", nil)
	l.chosenPIN(quiet, "battery staple")
	if _, err := l.svc.BlockPatronWith(l.ctx, desk, told.ID, library.Block{Reason: "lost Fortress Besieged",
		Notice: library.BlockNotice{Reason: library.BlockLostItem, Shown: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.svc.BlockPatronWith(l.ctx, desk, quiet.ID, library.Block{Reason: "argued with the guard",
		Notice: library.BlockNotice{Text: "See the Head of Circulation.", Shown: false}}); err != nil {
		t.Fatal(err)
	}
	c := l.kiosk()

	got := c.do(patronInfoReq("001", "          ", "20240001", "AC|ADcorrect horse|"))
	got.wantContains(t, "AF", "An item you borrowed is recorded as lost")
	got.wantContains(t, "AF", "Replace or pay for the lost item at the Circulation Counter.")
	got = c.do(patronStatusReq("20240001", "AC|ADcorrect horse|"))
	got.wantContains(t, "AF", "Replace or pay for the lost item")
	got = c.do(patronInfoReq("019", "          ", "20240001", "AC|ADcorrect horse|"))
	got.wantContains(t, "AF", "請到流通服務台賠償或支付遺失資料的費用")

	for _, req := range []string{patronStatusReq("20240001", "AC|"), patronStatusReq("20240002", "AC|ADbattery staple|")} {
		got = c.do(req)
		af, _ := got.field("AF")
		if !strings.Contains(af, "contact library staff") || strings.Contains(af, "lost") || strings.Contains(af, "Head of Circulation") {
			t.Errorf("%q: AF %q, want only the neutral words", req, af)
		}
		if strings.Contains(af, "guard") || strings.Contains(af, "Fortress") {
			t.Errorf("%q: AF shows the staff's reason: %q", req, af)
		}
	}
}

// TestBlockPatronCardKept proves a machine that blocks a card it kept
// (01 with card retained Y) tells the patron where to collect it, while
// one that blocks without keeping the card leaves the patron the neutral
// words.
func TestBlockPatronCardKept(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	kept := l.patron("20240001", "Chan Tai Man", nil)
	other := l.patron("20240002", "Wong Siu Ming", nil)
	c := l.kiosk()
	c.do("01Y" + sipDate() + "AO" + institution + "|ALCard retained|AA20240001|AC|")
	c.do("01N" + sipDate() + "AO" + institution + "|ALToo many tries|AA20240002|AC|")
	for _, tt := range []struct {
		p    library.Patron
		want library.BlockNotice
	}{{kept, library.BlockNotice{Reason: library.BlockCardKept, Shown: true}}, {other, library.BlockNotice{}}} {
		rec, err := l.svc.BorrowingRecord(l.ctx, tt.p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Patron.BlockedReason == "" || rec.Patron.BlockNotice != tt.want {
			t.Errorf("%s: blocked %q, notice %+v; want %+v", tt.p.Barcode, rec.Patron.BlockedReason, rec.Patron.BlockNotice, tt.want)
		}
	}
}
