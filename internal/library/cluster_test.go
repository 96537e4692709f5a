package library_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// twoNodes opens the same fresh database twice, as two Carrel nodes would
// (two connection pools, two services), with one clock.
func twoNodes(t *testing.T, target string) (*fixture, *fixture) {
	t.Helper()
	a := newFixtureOn(t, storagetest.Open(t, target))
	b := newFixtureOn(t, storagetest.Open(t, target))
	b.svc.SetClock(func() time.Time { return a.now })
	return a, b
}

// outcome tallies the answers of concurrent calls.
type outcome struct {
	mu     sync.Mutex
	counts map[string]int
}

func (o *outcome) add(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.counts == nil {
		o.counts = map[string]int{}
	}
	key := "ok"
	if r, ok := library.AsRefusal(err); ok {
		key = string(r.Reason)
	} else if err != nil {
		key = err.Error()
	}
	o.counts[key]++
}

// The rules that count rows hold when the requests race on two nodes of
// one database: an item is lent once, a patron never passes the loan
// limit, and parallel wrong PINs never get more tries than allowed.
func TestRulesHoldAcrossNodes(t *testing.T) {
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			a, b := twoNodes(t, k.Fresh(t))
			nodes := []*fixture{a, b}

			// 100 patrons race for 10 items: 10 loans.
			var items []library.Item
			for i := range 10 {
				items = append(items, a.item(fmt.Sprintf("3900%03d", i)))
			}
			var patrons []library.Patron
			for i := range 100 {
				patrons = append(patrons, a.patron(fmt.Sprintf("25%06d", i), nil))
			}
			var race outcome
			var wg sync.WaitGroup
			for i, p := range patrons {
				wg.Go(func() {
					_, err := nodes[i%2].svc.Checkout(a.ctx, p.Barcode, items[i%10].Barcode, "test")
					race.add(err)
				})
			}
			wg.Wait()
			if race.counts["ok"] != 10 || race.counts[string(library.ReasonItemOnLoan)] != 90 {
				t.Errorf("100 check-outs of 10 items on two nodes: %v, want 10 ok and 90 item_on_loan", race.counts)
			}
			lent := 0
			for _, p := range patrons {
				rec, err := b.svc.BorrowingRecord(b.ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				lent += len(rec.Loans)
			}
			if lent != 10 {
				t.Errorf("borrowing records show %d loans, want 10", lent)
			}

			// One student (limit 10) takes 30 items at once: 10 loans.
			reader := a.patron("25999999", nil)
			var limit outcome
			for i := range 30 {
				it := a.item(fmt.Sprintf("3910%03d", i))
				wg.Go(func() {
					_, err := nodes[i%2].svc.Checkout(a.ctx, reader.Barcode, it.Barcode, "test")
					limit.add(err)
				})
			}
			wg.Wait()
			max := a.svc.Config().Categories["student"].MaxLoans
			if limit.counts["ok"] != max || limit.counts[string(library.ReasonLoanLimit)] != 30-max {
				t.Errorf("30 check-outs by one student on two nodes: %v, want %d ok", limit.counts, max)
			}

			// 20 wrong PINs at once, split over the nodes: 10 tries, then locked.
			a.patron("25888888", nil)
			var tries outcome
			for i := range 20 {
				wg.Go(func() {
					_, err := nodes[i%2].svc.SignIn(a.ctx, "25888888", "wrong-pin", fmt.Sprintf("10.0.0.%d", i))
					tries.add(err)
				})
			}
			wg.Wait()
			if tries.counts[library.ErrSignInFailed.Error()] != 10 {
				t.Errorf("20 parallel wrong PINs on two nodes: %v, want exactly 10 tries", tries.counts)
			}
			if _, err := a.svc.SignIn(a.ctx, "25888888", "25888888", "10.0.1.1"); library.ErrorCode(err) != library.ELOCKED {
				t.Errorf("right PIN after the lockout began: %v, want locked on node A", err)
			}
			if _, err := b.svc.SignIn(b.ctx, "25888888", "25888888", "10.0.1.2"); library.ErrorCode(err) != library.ELOCKED {
				t.Errorf("right PIN after the lockout began: %v, want locked on node B", err)
			}
		})
	}
}

// A periodic job runs once per interval in the cluster, however many nodes
// tick.
func TestJobRunsOncePerCluster(t *testing.T) {
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			a, b := twoNodes(t, k.Fresh(t))
			var mu sync.Mutex
			ran := map[string]int{}
			var wg sync.WaitGroup
			for minute := range 5 {
				a.now = time.Date(2026, 11, 28, 10, minute, 0, 0, time.UTC)
				for i, f := range []*fixture{a, b, a, b} {
					wg.Go(func() {
						node := fmt.Sprint("node", i%2)
						_, err := f.svc.RunJob(f.ctx, "test", time.Minute, func(ctx context.Context) error {
							mu.Lock()
							ran[node]++
							mu.Unlock()
							return nil
						})
						if err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
			}
			if total := ran["node0"] + ran["node1"]; total != 5 {
				t.Errorf("job ran %v over 5 intervals, want 5 runs in all", ran)
			}
			var runs int64
			a.update(func(tx library.Tx) error {
				var err error
				runs, err = tx.JobRuns("test")
				return err
			})
			if runs != 5 {
				t.Errorf("JobRuns = %d, want 5", runs)
			}
		})
	}
}

// A staff unlock ends a sign-in pause at once, on every node, and keeps
// the PIN.
func TestUnlockEndsPauseOnEveryNode(t *testing.T) {
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			a, b := twoNodes(t, k.Fresh(t))
			a.patron("25777777", nil)
			for range a.svc.Config().Throttle.MaxFailures {
				a.svc.SignIn(a.ctx, "25777777", "wrong-pin", "10.0.0.1")
			}
			if _, err := b.svc.SignIn(b.ctx, "25777777", "25777777", "10.0.0.2"); library.ErrorCode(err) != library.ELOCKED {
				t.Fatalf("after the failures: %v, want locked", err)
			}
			if err := a.svc.Unlock(a.ctx, "2577-7777", "staff"); err != nil {
				t.Fatal(err)
			}
			if _, err := b.svc.SignIn(b.ctx, "25777777", "25777777", "10.0.0.2"); err != nil {
				t.Errorf("after the unlock on the other node: %v, want signed in", err)
			}
			if err := a.svc.Unlock(a.ctx, "99999999", "staff"); err != nil {
				t.Errorf("unlocking a barcode nobody has: %v, want no error", err)
			}
		})
	}
}
