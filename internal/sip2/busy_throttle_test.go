package sip2_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

const (
	busyScreen  = "The library system is busy: please try again."
	wrongScreen = "The patron barcode or PIN is not right."
)

// TestBusyPINCheckCountsNothing proves that a patron PIN check a kiosk
// sends while PIN hashing is at its limit (a queue of 1), answered "busy",
// counts nothing against the barcode: kiosks flood one barcode with a wrong
// PIN until at least the allowance of failures (10) was answered busy; the
// throttle then holds exactly one failure per check that was made, and the
// right PIN is still accepted.
func TestBusyPINCheckCountsNothing(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l := newLibraryOn(t, storagetest.Open(t, target.Fresh(t)), sip2.Options{})
			p := l.patron("27100001", "Flood Patron", nil)
			l.chosenPIN(p, "reading-room-7")
			const kiosks = 20
			conns := make([]*client, kiosks)
			for i := range conns {
				conns[i] = l.kiosk() // logging in hashes too: before the queue shrinks
			}
			l.svc.Hasher().SetQueueLimit(1)
			allowance := l.cfg.Throttle.MaxFailures
			req := patronStatusReq(p.Barcode, "AC|ADwrong-pin-1|") + "\r"

			busy, checked, paused := 0, 0, 0
			for wave := 0; wave < 10 && busy < allowance; wave++ {
				var mu sync.Mutex
				var wg sync.WaitGroup
				start := make(chan struct{})
				for _, c := range conns {
					wg.Go(func() {
						<-start
						c.nc.SetDeadline(time.Now().Add(30 * time.Second))
						if _, err := c.nc.Write([]byte(req)); err != nil {
							t.Error(err)
							return
						}
						s, err := c.r.ReadString('\r')
						if err != nil {
							t.Error(err)
							return
						}
						r := parseResponse(t, strings.TrimSuffix(s, "\r"))
						af, _ := r.field("AF")
						cq, _ := r.field("CQ")
						mu.Lock()
						defer mu.Unlock()
						switch {
						case r.code == "24" && af == busyScreen:
							busy++
						case r.code == "24" && cq == "N" && af == wrongScreen:
							checked++
						case r.code == "24" && cq == "N" && strings.HasPrefix(af, "Too many attempts failed"):
							paused++
						default:
							t.Errorf("a wrong PIN in the flood got %q", r.raw)
						}
					})
				}
				close(start)
				wg.Wait()
			}
			t.Logf("%d PIN checks answered busy, %d made, %d refused as paused", busy, checked, paused)
			if paused > 0 && checked < allowance {
				t.Fatalf("the flood paused the barcode after %d PIN checks (allowance %d): %d answers of busy counted as failures", checked, allowance, busy)
			}
			if busy < allowance {
				t.Fatalf("only %d PIN checks answered busy with a queue of 1; the flood proves nothing", busy)
			}
			var n int
			err := l.svc.Store().View(l.ctx, func(tx library.Tx) error {
				var err error
				n, err = tx.CountFailures("barcode:"+p.Barcode, l.clock().Add(-time.Hour))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != checked {
				t.Errorf("%d failures counted for the barcode, want %d (the checks made; %d answered busy count nothing)", n, checked, busy)
			}
			if checked >= allowance {
				t.Logf("%d of the flood were checked, reaching the allowance: the pause is deserved", checked)
				return
			}
			c := conns[0]
			r := c.do(patronStatusReq(p.Barcode, "AC|ADreading-room-7|"))
			r.want(t, "CQ", "Y")
		})
	}
}
