package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
	"github.com/carrel-library/carrel/internal/web"
)

// benchLoans lends n new items to patron p in one transaction, due from
// 3 days ago onwards, one a day, with item barcodes from first on.
func benchLoans(tb testing.TB, svc *library.Service, cfg *library.Config, p library.Patron, n, first int) {
	tb.Helper()
	loc := cfg.Location()
	err := svc.Store().Update(context.Background(), func(tx library.Tx) error {
		for i := range n {
			due := today.AddDays(i - 3)
			it := library.Item{Barcode: fmt.Sprintf("3%07d", first+i), Title: fmt.Sprintf("Title %d", first+i),
				Author: "Author", CallNumber: fmt.Sprintf("QA76 %d", first+i), Location: "Main Library 3/F"}
			if err := tx.CreateItem(&it); err != nil {
				return err
			}
			ln := library.Loan{PatronID: p.ID, Item: it, CheckedOutAt: due.AddDays(-14).Time(loc).Add(11 * time.Hour), DueAt: due.EndOf(loc)}
			if err := tx.CreateLoan(&ln); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// benchPatron stores a registered student with a PIN of their own.
func benchPatron(tb testing.TB, svc *library.Service, barcode, pin string, now time.Time) library.Patron {
	tb.Helper()
	h, err := svc.Hasher().Hash(context.Background(), pin)
	if err != nil {
		tb.Fatal(err)
	}
	p := library.Patron{Barcode: barcode, Category: "student", Name: "Patron " + barcode,
		RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31),
		PIN: library.PINRecord{Kind: library.PINChosen, Hash: h, SetAt: now}}
	if err := svc.Store().Update(context.Background(), func(tx library.Tx) error { return tx.CreatePatron(&p) }); err != nil {
		tb.Fatal(err)
	}
	return p
}

// benchServer starts Carrel's web server for svc on a free port, quiet,
// until the benchmark ends.
func benchServer(b *testing.B, svc *library.Service) *web.Server {
	b.Helper()
	srv, err := web.New(svc, web.Options{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Close(ctx)
	})
	return srv
}

// BenchmarkAccountPage measures My Account's borrowing record, asked for
// over HTTP from a real server on a real SQLite database, for patrons with
// 1, 10, 100 and 1,000 current loans in libraries of 1,000 and 10,000
// loans held by others. "page" is the whole answer (page 1); "record" is
// the domain's borrowing record alone, which the page is built from, so
// the difference is the web's share (both read the first page of 50). The answer's size is reported as
// bytes/page.
func BenchmarkAccountPage(b *testing.B) {
	for _, others := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("library=%d", others), func(b *testing.B) {
			cfg := library.DefaultConfig()
			svc := library.NewService(&cfg, storagetest.New(b), library.NewHasher(0))
			now := today.Time(cfg.Location()).Add(10 * time.Hour)
			svc.SetClock(func() time.Time { return now })
			srv := benchServer(b, svc)
			// Other patrons' loans, ten each: the size of the library.
			item := 0
			for i := range others / 10 {
				p := library.Patron{Barcode: fmt.Sprintf("2%07d", i), Category: "student", Name: "Other",
					RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31), PIN: library.PINRecord{Kind: library.PINPreset}}
				if err := svc.Store().Update(context.Background(), func(tx library.Tx) error { return tx.CreatePatron(&p) }); err != nil {
					b.Fatal(err)
				}
				benchLoans(b, svc, &cfg, p, 10, item)
				item += 10
			}
			for k, n := range []int{1, 10, 100, 1000} {
				p := benchPatron(b, svc, fmt.Sprintf("1000000%d", k), "reading-room-7", now)
				benchLoans(b, svc, &cfg, p, n, item)
				item += n
				c := benchClient(b, srv.URL(), p.Barcode, "reading-room-7")
				b.Run(fmt.Sprintf("loans=%d/page", n), func(b *testing.B) {
					size := 0
					for b.Loop() {
						size = c.account(b)
					}
					b.ReportMetric(float64(size), "bytes/page")
				})
				b.Run(fmt.Sprintf("loans=%d/record", n), func(b *testing.B) {
					for b.Loop() {
						rec, err := svc.BorrowingRecordPage(context.Background(), p.ID, library.LoanPage{Page: 1, Size: 50})
						if err != nil || len(rec.Loans) != min(n, 50) {
							b.Fatalf("record: %d loans, %v", len(rec.Loans), err)
						}
					}
				})
			}
		})
	}
}

// benchHTTP is a signed-in patron's browser for a benchmark.
type benchHTTP struct {
	base string
	c    *http.Client
}

// benchClient signs a patron in.
func benchClient(tb testing.TB, base, barcode, pin string) *benchHTTP {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	c := &benchHTTP{base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	res, err := c.c.PostForm(base+"/account/login", url.Values{"barcode": {barcode}, "pin": {pin}})
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		tb.Fatalf("sign in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	return c
}

// account asks for the borrowing record and returns the answer's size.
func (c *benchHTTP) account(tb testing.TB) int {
	res, err := c.c.Get(c.base + "/account")
	if err != nil {
		tb.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="loans"`) {
		tb.Fatalf("account: %d, %v", res.StatusCode, err)
	}
	return len(body)
}
