package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// BenchmarkSignIn measures sign-in over HTTP (POST /account/login with the
// right PIN, a 303 to My Account) from a real server on a real SQLite
// database, with 8 clients per CPU at once going round 200 patrons: what
// the argon2id hash leaves for the rest of the sign-in (the throttle's
// count, the session, the audit entry) shows as the gap between its
// ns/op and BenchmarkHash's divided by the CPUs. Profile it with
// -cpuprofile.
func BenchmarkSignIn(b *testing.B) {
	cfg := library.DefaultConfig()
	svc := library.NewService(&cfg, storagetest.New(b), library.NewHasher(0))
	srv := benchServer(b, svc)
	const patrons = 200
	// One hash for every patron's PIN, so that setting up costs one hash
	// and a CPU profile shows the sign-ins alone.
	h, err := svc.Hasher().Hash(context.Background(), "reading-room-7")
	if err != nil {
		b.Fatal(err)
	}
	var barcodes []string
	err = svc.Store().Update(context.Background(), func(tx library.Tx) error {
		for i := range patrons {
			p := library.Patron{Barcode: fmt.Sprintf("2500%04d", i), Category: "student", Name: "Patron",
				RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31),
				PIN: library.PINRecord{Kind: library.PINChosen, Hash: h, SetAt: svc.Now()}}
			if err := tx.CreatePatron(&p); err != nil {
				return err
			}
			barcodes = append(barcodes, p.Barcode)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			form := url.Values{"barcode": {barcodes[next.Add(1)%patrons]}, "pin": {"reading-room-7"}}.Encode()
			req, err := http.NewRequest(http.MethodPost, srv.URL()+"/account/login", strings.NewReader(form))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", srv.URL())
			res, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				b.Errorf("sign-in answered %d, want 303", res.StatusCode)
				return
			}
		}
	})
}
