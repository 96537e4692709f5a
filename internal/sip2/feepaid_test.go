package sip2_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// feePaid is a 37 Fee Paid of HKD amount by the payment type, with the
// transaction id bk ("" for none), for patron 20240001.
func feePaid(payType, amount, bk string) string {
	msg := "37" + sipDate() + "01" + payType + "HKDBV" + amount + "|AO" + institution + "|AA20240001|"
	if bk != "" {
		msg += "BK" + bk + "|"
	}
	return msg
}

// ledgerPayments reads the patron's payments from the database.
func (l *testLibrary) ledgerPayments(p library.Patron) []library.FineEntry {
	l.t.Helper()
	var out []library.FineEntry
	err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
		es, err := tx.FineEntries(p.ID)
		out = slices.DeleteFunc(es, func(e library.FineEntry) bool { return e.Kind != library.FinePayment })
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return out
}

// TestFeePaidTransactionOnce proves a kiosk's 37 is charged once per
// transaction id (BK) and patron: sent again, with or without checksums,
// on the same connection or on another, it is answered as the first time
// (accepted, the amount paid and the balance as it is now) and charges
// nothing; a new BK is charged; the same BK for another amount is
// refused, as are payment types other than cash and card and a card
// payment without its transaction id. Each payment is recorded with its
// method, its BK as the receipt number and the kiosk's account, on both
// databases.
func TestFeePaidTransactionOnce(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			p := l.patron("20240001", "Chan Tai Man", nil)
			l.update(func(tx library.Tx) error {
				return tx.AddFine(&library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: 1250, Note: "overdue"})
			})
			plain, checked, other := l.kiosk(), l.kiosk(), l.kiosk()
			checked.seq = 0
			const paidAnswer = "Payment of HKD 5.00 received. Still owed: HKD 7.50."
			for _, tt := range []struct {
				name string
				c    *client
			}{{"first, without checksums", plain}, {"again, same connection", plain}, {"again, with checksums", checked},
				{"again, another connection", other}, {"again, with checksums once more", checked}} {
				got := tt.c.do(feePaid("00", "5.00", "tx-1001"))
				if got.code != "38" || got.fixed[0] != 'Y' {
					t.Errorf("%s: %q, want accepted", tt.name, got.raw)
				}
				got.want(t, "AF", paidAnswer)
				got.want(t, "BK", "tx-1001")
				if b := l.balance(p); b != 750 {
					t.Errorf("%s: balance %s, want HKD 7.50", tt.name, b)
				}
			}
			// A new transaction is charged.
			got := checked.do(feePaid("02", "5.00", "tx-1002"))
			if got.fixed[0] != 'Y' || l.balance(p) != 250 {
				t.Errorf("a new BK: %q, balance %s", got.raw, l.balance(p))
			}
			got.want(t, "AF", "Payment of HKD 5.00 received. Still owed: HKD 2.50.")
			// The first one again once nothing more is owed for it: still as before.
			got = plain.do(feePaid("00", "5.00", "tx-1001"))
			if got.fixed[0] != 'Y' {
				t.Errorf("the first BK after a second payment: %q", got.raw)
			}
			got.want(t, "AF", "Payment of HKD 5.00 received. Still owed: HKD 2.50.")
			for _, tt := range []struct{ name, msg, af string }{
				{"the same BK for another amount", feePaid("00", "1.00", "tx-1001"), "This transaction was already recorded, for HKD 5.00: nothing was charged again. Please ask library staff."},
				{"the same BK paid by card", feePaid("01", "5.00", "tx-1001"), "This transaction was already recorded, for HKD 5.00: nothing was charged again. Please ask library staff."},
				{"a payment type not cash or card", feePaid("05", "1.00", "tx-1003"), "This payment type is not accepted here: please pay at the library counter."},
				{"a card payment without a BK", feePaid("01", "1.00", ""), "A card payment needs its transaction number: please ask library staff."},
				{"a BK over 64 characters", feePaid("00", "1.00", strings.Repeat("9", 65)), "The transaction number is not valid: please ask library staff."},
				{"a BK in Carrel's own form", feePaid("00", "1.00", "C20261128-001"), "The transaction number is not valid: please ask library staff."},
			} {
				got := plain.do(tt.msg)
				if got.fixed[0] != 'N' {
					t.Errorf("%s: %q, want refused", tt.name, got.raw)
				}
				got.want(t, "AF", tt.af)
			}
			if b := l.balance(p); b != 250 {
				t.Errorf("balance %s after the refusals, want HKD 2.50", b)
			}
			// Cash without a BK is charged, with a receipt number of Carrel's.
			if got := plain.do(feePaid("00", "1.00", "")); got.fixed[0] != 'Y' {
				t.Errorf("cash without a BK: %q", got.raw)
			}
			var summary []string
			for _, e := range l.ledgerPayments(p) {
				summary = append(summary, string(e.Method)+" "+e.Receipt+" "+e.Amount.String()+" "+e.TakenBy)
			}
			want := []string{"cash tx-1001 HKD 5.00 sip2:" + kioskLogin, "card tx-1002 HKD 5.00 sip2:" + kioskLogin,
				"cash C20261128-001 HKD 1.00 sip2:" + kioskLogin}
			if !slices.Equal(summary, want) {
				t.Errorf("payments recorded:\n got %q\nwant %q", summary, want)
			}
		})
	}
}

// TestFeePaidRaceChargesOnce sends the same 37 on several connections at
// the same instant, some with checksums and some without: one payment is
// recorded, and every answer says accepted with the same balance, on both
// databases.
func TestFeePaidRaceChargesOnce(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			p := l.patron("20240001", "Chan Tai Man", nil)
			l.update(func(tx library.Tx) error {
				return tx.AddFine(&library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: 1250, Note: "overdue"})
			})
			const n = 6
			kiosks := make([]*client, n)
			for i := range kiosks {
				kiosks[i] = l.kiosk()
				if i%2 == 1 {
					kiosks[i].seq = 3
				}
			}
			start := make(chan struct{})
			replies := make([]response, n)
			var wg sync.WaitGroup
			for i, k := range kiosks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					k.send(feePaid("00", "5.00", "tx-2001"))
					replies[i] = k.read()
				}()
			}
			close(start)
			wg.Wait()
			for i, r := range replies {
				if r.code != "38" || r.fixed[0] != 'Y' || r.fields["AF"][0] != "Payment of HKD 5.00 received. Still owed: HKD 7.50." {
					t.Errorf("kiosk %d: %q", i, r.raw)
				}
			}
			if got := l.ledgerPayments(p); len(got) != 1 || l.balance(p) != 750 {
				t.Errorf("%d payments recorded, balance %s; want 1 and HKD 7.50", len(got), l.balance(p))
			}
		})
	}
}
