package sip2_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
	"github.com/carrel-library/carrel/internal/web"
)

// TestConcurrentCheckoutsLendOnce: 50 kiosks checking out the same item at
// the same instant give exactly one loan, on every database, and My
// Account on the web shows it.
func TestConcurrentCheckoutsLendOnce(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			const n = 50
			var barcodes []string
			for i := range n {
				b := "2024" + string(rune('1'+i/10)) + "00" + string(rune('0'+i%10))
				p := l.patron(b, "Patron "+b, nil)
				if i == 0 {
					l.chosenPIN(p, "correct horse")
				}
				barcodes = append(barcodes, b)
			}
			l.item("B0001", "Call to Arms")
			kiosks := make([]*client, n)
			var wg sync.WaitGroup
			for i := range kiosks {
				wg.Add(1)
				go func() { defer wg.Done(); kiosks[i] = l.kiosk() }()
			}
			wg.Wait()

			start := make(chan struct{})
			replies := make([]response, n)
			for i, k := range kiosks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					k.send(checkoutReq(barcodes[i], "B0001"))
					replies[i] = k.read()
				}()
			}
			close(start)
			wg.Wait()
			lent, winner := 0, ""
			for i, r := range replies {
				switch {
				case r.code == "12" && r.fixed[0] == '1':
					lent++
					winner = barcodes[i]
				case r.code == "12" && strings.Contains(r.fields["AF"][0], "on loan to someone else"):
				default:
					t.Errorf("kiosk %d: %q", i, r.raw)
				}
			}
			if lent != 1 {
				t.Fatalf("%d checkouts succeeded, want 1", lent)
			}
			total := 0
			for _, b := range barcodes {
				rec, err := l.svc.RecordByBarcode(l.ctx, b)
				if err != nil {
					t.Fatal(err)
				}
				total += len(rec.Loans)
			}
			if total != 1 {
				t.Errorf("%d loans in the database, want 1", total)
			}

			// Whoever won, the web's borrowing record shows it: let the
			// first patron (who has a PIN for the web) win if needed by
			// moving the loan through the same service.
			if winner != barcodes[0] {
				if got := kiosks[0].do(checkinReq("B0001")); got.fixed[0] != '1' {
					t.Fatalf("checkin: %q", got.raw)
				}
				if got := kiosks[0].do(checkoutReq(barcodes[0], "B0001")); got.fixed[0] != '1' {
					t.Fatalf("checkout: %q", got.raw)
				}
			}
			page := accountPage(t, l, barcodes[0], "correct horse")
			if !strings.Contains(page, "Call to Arms") {
				t.Errorf("the web's borrowing record does not show the SIP2 loan:\n%s", page)
			}
		})
	}
}

// accountPage signs in to My Account on a web server over the same
// library and returns the borrowing record page.
func accountPage(t *testing.T, l *testLibrary, barcode, pin string) string {
	t.Helper()
	srv, err := web.New(l.svc, web.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Close(ctx)
	}()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	res, err := hc.PostForm(srv.URL()+"/account/login", url.Values{"barcode": {barcode}, "pin": {pin}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.Request.URL.Path != "/account" {
		t.Fatalf("sign-in ended at %s (%d):\n%s", res.Request.URL, res.StatusCode, b)
	}
	return string(b)
}
