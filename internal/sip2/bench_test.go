package sip2_test

import (
	"bufio"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
)

// benchConns is how many kiosk connections a benchmark keeps busy at once
// unless it says otherwise.
const benchConns = 64

// benchPatrons stores n registered students with the same chosen PIN
// (hashed once) and two current loans each, and returns their barcodes.
func benchPatrons(b *testing.B, l *testLibrary, n int) []string {
	b.Helper()
	h, err := l.svc.Hasher().Hash(l.ctx, "correct horse")
	if err != nil {
		b.Fatal(err)
	}
	barcodes := make([]string, n)
	loc := l.cfg.Location()
	l.update(func(tx library.Tx) error {
		for i := range barcodes {
			p := library.Patron{Barcode: fmt.Sprintf("2025%04d", i), Category: "student", Name: fmt.Sprintf("Patron %d", i),
				RegisteredOn: library.NewDate(2024, 9, 1), PIN: library.PINRecord{Kind: library.PINChosen, Hash: h, SetAt: l.now}}
			if err := tx.CreatePatron(&p); err != nil {
				return err
			}
			barcodes[i] = p.Barcode
			for j := range 2 {
				it := library.Item{Barcode: fmt.Sprintf("L%04d%d", i, j), Title: "Loaned title"}
				if err := tx.CreateItem(&it); err != nil {
					return err
				}
				ln := library.Loan{PatronID: p.ID, Item: it, CheckedOutAt: l.now, DueAt: today.AddDays(10 + j).EndOf(loc)}
				if err := tx.CreateLoan(&ln); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return barcodes
}

// rawKiosk is a logged-in connection driven without testing helpers, so
// that benchmark goroutines may use it.
type rawKiosk struct {
	nc net.Conn
	r  *bufio.Reader
}

func (k *rawKiosk) do(req []byte) ([]byte, error) {
	if _, err := k.nc.Write(req); err != nil {
		return nil, err
	}
	return k.r.ReadSlice('\r')
}

// runKiosks runs b.N operations spread over benchConns logged-in
// connections and reports operations per second and latency percentiles.
func runKiosks(b *testing.B, l *testLibrary, op func(k *rawKiosk, g, i int) error) {
	runKiosksN(b, l, benchConns, op)
}

// runKiosksN is runKiosks on n connections.
func runKiosksN(b *testing.B, l *testLibrary, n int, op func(k *rawKiosk, g, i int) error) {
	kiosks := make([]*rawKiosk, n)
	for g := range kiosks {
		c := l.kiosk()
		kiosks[g] = &rawKiosk{nc: c.nc, r: bufio.NewReaderSize(c.nc, 8192)}
	}
	lat := make([][]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for g := range kiosks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := op(kiosks[g], g, i); err != nil {
					b.Error(err)
					return
				}
				lat[g] = append(lat[g], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}

func benchLibrary(b *testing.B) *testLibrary {
	l := newLibrary(b, sip2.Options{})
	return l
}

// BenchmarkPatronInformation: 63 without a PIN, the summary asking for
// charged items: one read transaction per request. The kiosk's account
// shows the record without a PIN (--no-require-pin), as a self-check
// that only scans cards has it.
func BenchmarkPatronInformation(b *testing.B) {
	l := benchLibrary(b)
	l.cardOnlyKiosk()
	barcodes := benchPatrons(b, l, 500)
	reqs := make([][]byte, len(barcodes))
	for i, bc := range barcodes {
		reqs[i] = []byte(patronInfoReq("001", "  Y       ", bc, "AC|") + "\r")
	}
	runKiosks(b, l, func(k *rawKiosk, g, i int) error {
		got, err := k.do(reqs[i%len(reqs)])
		if err == nil && (len(got) < 2 || got[0] != '6' || got[1] != '4') {
			err = fmt.Errorf("reply %q", got)
		}
		return err
	})
}

// BenchmarkPatronInformationWithPIN: 63 with AD, each request for another
// patron than the connection's last, so every one costs an argon2id hash
// and the throttle's writes: bounded by the hash rate on purpose.
//
// Its 64 kiosks all come from one address, and at the hash rate's bound
// most of them wait in the hashing line at once: more than one client's
// share of it (limits.sign_in_share). A library whose kiosks or proxy
// share one address raises the share; so does the benchmark, which
// measures the hashing, not the share.
func BenchmarkPatronInformationWithPIN(b *testing.B) {
	l := benchLibrary(b)
	l.svc.Hasher().SetShare(benchConns)
	barcodes := benchPatrons(b, l, 500)
	reqs := make([][]byte, len(barcodes))
	for i, bc := range barcodes {
		reqs[i] = []byte(patronInfoReq("001", "  Y       ", bc, "AC|ADcorrect horse|") + "\r")
	}
	runKiosks(b, l, func(k *rawKiosk, g, i int) error {
		got, err := k.do(reqs[i%len(reqs)])
		if err == nil && !containsCQY(got) {
			err = fmt.Errorf("reply %q", got)
		}
		return err
	})
}

func containsCQY(b []byte) bool {
	for i := 0; i+3 <= len(b); i++ {
		if b[i] == 'C' && b[i+1] == 'Q' && b[i+2] == 'Y' {
			return true
		}
	}
	return false
}

// BenchmarkCheckoutCheckin: one operation is a checkout and the checkin of
// the same item (two write transactions), each connection with its own
// patron and item; with 1, 8 and 64 kiosks busy at once.
func BenchmarkCheckoutCheckin(b *testing.B) {
	for _, conns := range []int{1, 8, benchConns} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			l := benchLibrary(b)
			barcodes := benchPatrons(b, l, conns)
			out := make([][]byte, conns)
			in := make([][]byte, conns)
			for g := range conns {
				it := fmt.Sprintf("K%04d", g)
				l.item(it, "Kiosk title")
				out[g] = []byte(checkoutReq(barcodes[g], it) + "\r")
				in[g] = []byte(checkinReq(it) + "\r")
			}
			runKiosksN(b, l, conns, func(k *rawKiosk, g, i int) error {
				got, err := k.do(out[g])
				if err == nil && (len(got) < 3 || got[2] != '1') {
					return fmt.Errorf("checkout %q", got)
				}
				if err != nil {
					return err
				}
				got, err = k.do(in[g])
				if err == nil && (len(got) < 3 || got[2] != '1') {
					return fmt.Errorf("checkin %q", got)
				}
				return err
			})
		})
	}
}

// BenchmarkSCStatus: 99 round trips, no database: the ceiling of the
// server and codec themselves.
func BenchmarkSCStatus(b *testing.B) {
	l := benchLibrary(b)
	req := []byte("9900302.00\r")
	runKiosks(b, l, func(k *rawKiosk, g, i int) error {
		_, err := k.do(req)
		return err
	})
}
