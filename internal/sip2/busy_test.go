package sip2_test

import (
	"bufio"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/sip2"
)

// TestBusyHasher proves what a kiosk gets when PIN hashing is at its
// limit (limits.sign_in_queue): a proper 24 Patron Status whose screen
// message says the system is busy, on a connection that stays open and
// answers the same request once the burst is over.
func TestBusyHasher(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	const kiosks = 30
	conns := make([]*client, kiosks)
	for i := range conns {
		l.patron(fmt.Sprintf("27%06d", i), fmt.Sprint("Student ", i), nil)
		conns[i] = l.kiosk() // logging in hashes too: before the queue shrinks
	}
	l.svc.Hasher().SetQueueLimit(1)

	replies := make([]string, kiosks)
	errs := make([]error, kiosks)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range conns {
		req := patronStatusReq(fmt.Sprintf("27%06d", i), "AC|AD"+fmt.Sprintf("27%06d", i)+"|") + "\r"
		wg.Go(func() {
			<-start
			c.nc.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := c.nc.Write([]byte(req)); err != nil {
				errs[i] = err
				return
			}
			replies[i], errs[i] = bufio.NewReader(c.nc).ReadString('\r')
		})
	}
	close(start)
	wg.Wait()
	busy := 0
	for i := range kiosks {
		if errs[i] != nil {
			t.Fatalf("kiosk %d: %v", i, errs[i])
		}
		got := parseResponse(t, strings.TrimSuffix(replies[i], "\r"))
		if got.code != "24" {
			t.Fatalf("kiosk %d: %q, want a 24", i, got.raw)
		}
		if af, _ := got.field("AF"); af == "The library system is busy: please try again." {
			busy++
			got.want(t, "CQ", "N")
		}
	}
	t.Logf("%d of %d simultaneous PIN checks told the system is busy", busy, kiosks)
	if busy == 0 {
		t.Error("no kiosk was told the system is busy with a queue of 1")
	}
	// The connections are still served.
	for i, c := range conns {
		c.r = bufio.NewReader(c.nc)
		if got := c.do(patronStatusReq(fmt.Sprintf("27%06d", i), "AC|")); got.code != "24" {
			t.Errorf("kiosk %d after the burst: %q", i, got.raw)
		}
	}
}
