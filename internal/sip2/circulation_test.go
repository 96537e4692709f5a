package sip2_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
)

func TestCheckoutAndCheckin(t *testing.T) {
	for _, withChecksums := range []bool{false, true} {
		name := "plain"
		if withChecksums {
			name = "error detection"
		}
		t.Run(name, func(t *testing.T) {
			l := newLibrary(t, sip2.Options{})
			p := l.patron("20240001", "Chan Tai Man", nil)
			l.chosenPIN(p, "correct horse")
			l.patron("20240002", "Wong Siu Ming", nil)
			l.patron("20240003", "Card Holder", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
			l.item("B0001", "Call to Arms")
			l.item("B0002", "Wandering")
			c := l.kiosk()
			if withChecksums {
				c.seq = 0
			}

			got := c.do(checkoutReq("20240001", "B0001"))
			if got.code != "12" || got.fixed[:4] != "1NUY" {
				t.Fatalf("checkout: %q", got.raw)
			}
			got.want(t, "AJ", "Call to Arms")
			got.want(t, "AH", "20261212    235959") // 14 days, in Hong Kong time
			got.wantContains(t, "AF", "Due back 12 Dec 2026")
			if loans := l.openLoans(p); len(loans) != 1 || loans[0].Item.Barcode != "B0001" {
				t.Errorf("loans after checkout: %+v", loans)
			}
			if es := l.audit(p); len(es) == 0 || es[0].Action != "loan.checkout" || es[0].Actor != "sip2:"+kioskLogin {
				t.Errorf("audit: %+v", es)
			}

			// The same item to someone else: refused with the domain's reason.
			got = c.do(checkoutReq("20240002", "B0001"))
			if got.fixed[:4] != "0NUN" {
				t.Errorf("second checkout: %q", got.raw)
			}
			got.wantContains(t, "AF", "on loan to someone else")
			// A card holder may not borrow: register with staff (R4).
			got = c.do(checkoutReq("20240003", "B0002"))
			got.wantContains(t, "AF", "register with library staff")
			// Unknown patron and unknown item are told apart.
			c.do(checkoutReq("29999999", "B0002")).wantContains(t, "AF", "card is not recognised")
			c.do(checkoutReq("20240001", "NOSUCH")).wantContains(t, "AF", "item is not recognised")
			// A wrong PIN in AD stops the checkout.
			got = c.do(checkoutReq("20240001", "B0002") + "ADwrong|")
			if got.fixed[0] != '0' || len(l.openLoans(p)) != 1 {
				t.Errorf("checkout with a wrong PIN: %q", got.raw)
			}

			// Item information shows it out, due, not who has it.
			got = c.do("17" + sipDate() + "AO" + institution + "|ABB0001|")
			if got.code != "18" || got.fixed[:2] != "04" {
				t.Errorf("item information: %q", got.raw)
			}
			got.want(t, "AH", "20261212    235959")
			got.want(t, "AQ", "Main Library 3/F")
			if strings.Contains(got.raw, "20240001") {
				t.Errorf("item information names the borrower: %q", got.raw)
			}
			if got := c.do("17" + sipDate() + "AO" + institution + "|ABB0002|"); got.fixed[:2] != "03" {
				t.Errorf("available item: %q", got.raw)
			}

			// Three days late: the fine is charged at check-in.
			l.advance(17 * 24 * time.Hour)
			got = c.do(checkinReq("B0001"))
			if got.code != "10" || got.fixed[:4] != "1YUN" {
				t.Fatalf("checkin: %q", got.raw)
			}
			got.want(t, "AJ", "Call to Arms")
			got.wantContains(t, "AF", "HKD 3.00")
			if n := len(l.openLoans(p)); n != 0 {
				t.Errorf("%d loans after checkin", n)
			}
			if b := l.balance(p); b != 300 {
				t.Errorf("balance %v, want HKD 3.00", b)
			}
			// Not on loan, and unknown.
			got = c.do(checkinReq("B0001"))
			if got.fixed[:4] != "0YUY" {
				t.Errorf("checkin again: %q", got.raw)
			}
			got.wantContains(t, "AF", "not on loan")
			c.do(checkinReq("NOSUCH")).wantContains(t, "AF", "not recognised")
		})
	}
}

func TestRenew(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	p := l.patron("20240001", "Chan Tai Man", nil)
	other := l.patron("20240002", "Wong Siu Ming", nil)
	l.loan(p, "B0001", "Call to Arms", today.AddDays(-10), today.AddDays(4))
	l.loan(p, "B0002", "Wandering", today.AddDays(-10), today.AddDays(4))
	l.update(func(tx library.Tx) error {
		loans, err := tx.OpenLoans(p.ID)
		if err != nil {
			return err
		}
		loans[1].Renewals = 2 // the student limit
		return tx.UpdateLoan(loans[1])
	})
	l.loan(other, "B0003", "Old Tales Retold", today.AddDays(-1), today.AddDays(13))
	c := l.kiosk()

	got := c.do(renewReq("20240001", "B0001"))
	if got.code != "30" || got.fixed[:2] != "1Y" {
		t.Fatalf("renew: %q", got.raw)
	}
	got.want(t, "AH", "20261212    235959")
	got = c.do(renewReq("20240001", "B0002"))
	if got.fixed[:2] != "0N" {
		t.Errorf("renew at the limit: %q", got.raw)
	}
	got.wantContains(t, "AF", "already renewed 2 times")
	c.do(renewReq("20240001", "B0003")).wantContains(t, "AF", "not one of your current loans")

	// Checking out an item the patron has, with renewal policy Y, renews
	// it: two days on, when the renewal moves the due date later.
	l.advance(48 * time.Hour)
	got = c.do("11YN" + sipDate() + sipDate() + "AO" + institution + "|AA20240001|ABB0001|AC|")
	if got.fixed[:2] != "1Y" {
		t.Errorf("checkout as renewal: %q", got.raw)
	}

	// B0001 and B0002 are now at the limit; a new loan is not. Renew All
	// lists the patron's loans, so the kiosk's account, which requires the
	// PIN, must send it.
	l.loan(p, "B0004", "Medicine", today, today.AddDays(14))
	l.chosenPIN(p, "correct horse")
	got = c.do("65" + sipDate() + "AO" + institution + "|AA20240001|")
	if got.code != "66" || got.fixed[:9] != "000000000" || len(got.fields["BM"])+len(got.fields["BN"]) != 0 {
		t.Errorf("renew all without the PIN: %q, want nothing renewed or listed", got.raw)
	}
	got.want(t, "AF", "The patron barcode or PIN is not right.")
	got = c.do("65" + sipDate() + "AO" + institution + "|AA20240001|ADcorrect horse|")
	if got.code != "66" || got.fixed[:9] != "100010002" {
		t.Fatalf("renew all: %q", got.raw)
	}
	got.want(t, "BM", "B0004")
	if bn := strings.Join(got.fields["BN"], ","); bn != "B0002,B0001" && bn != "B0001,B0002" {
		t.Errorf("not renewed: %q", bn)
	}
}

func TestFeePaid(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: 1250, Note: "overdue"})
	})
	c := l.kiosk()
	n := 0
	pay := func(currency, amount string) response {
		n++ // each payment its own transaction id
		return c.do("37" + sipDate() + "0100" + currency + "BV" + amount + "|AO" + institution + "|AA20240001|BKtx-" + strconv.Itoa(40+n) + "|")
	}
	got := pay("HKD", "5.00")
	if got.code != "38" || got.fixed[0] != 'Y' {
		t.Fatalf("pay: %q", got.raw)
	}
	got.want(t, "BK", "tx-41")
	got.wantContains(t, "AF", "HKD 7.50")
	if b := l.balance(p); b != 750 {
		t.Errorf("balance %v after paying HKD 5.00", b)
	}
	for _, tt := range []struct{ currency, amount, af string }{
		{"HKD", "7.51", "more than the HKD 7.50 you owe"},
		{"USD", "1.00", "Only payments in HKD"},
		{"HKD", "-1", "not valid"},
		{"HKD", "abc", "not valid"},
		{"HKD", "1.001", "not valid"},
	} {
		got := pay(tt.currency, tt.amount)
		if got.fixed[0] != 'N' {
			t.Errorf("pay %s %s accepted: %q", tt.currency, tt.amount, got.raw)
		}
		got.wantContains(t, "AF", tt.af)
	}
	if got := pay("HKD", "7.5"); got.fixed[0] != 'Y' || l.balance(p) != 0 {
		t.Errorf("paying the rest: %q, balance %v", got.raw, l.balance(p))
	}
	if got := pay("HKD", "0.01"); got.fixed[0] != 'N' {
		t.Errorf("paying with nothing owed: %q", got.raw)
	}
}
