package sip2_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCheckoutCheckinDirect is BenchmarkCheckoutCheckin without SIP2:
// the same checkout and checkin of the same items by the same patrons, as
// the same two write transactions of the domain on the same database with
// the same durability, called directly by 1, 8 and 64 goroutines. The
// ratio of the two is what the SIP2 server, its codec and TCP cost.
func BenchmarkCheckoutCheckinDirect(b *testing.B) {
	for _, conns := range []int{1, 8, benchConns} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			l := benchLibrary(b)
			barcodes := benchPatrons(b, l, conns)
			items := make([]string, conns)
			for g := range conns {
				items[g] = fmt.Sprintf("K%04d", g)
				l.item(items[g], "Kiosk title")
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for g := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						if _, err := l.svc.Checkout(l.ctx, barcodes[g], items[g], "kiosk"); err != nil {
							b.Error(err)
							return
						}
						if _, err := l.svc.Checkin(l.ctx, items[g], "kiosk"); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
		})
	}
}
