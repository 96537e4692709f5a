package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// loadResult is what one scenario, or one floor, measured.
type loadResult struct {
	Ops      int             // operations that succeeded
	Errors   int             // operations that failed
	FirstErr error           // the first failure, for the report
	Elapsed  time.Duration   // wall time of the timed part
	Times    []time.Duration // each successful operation's latency, sorted
}

// rate is operations per second.
func (r loadResult) rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// percentile is the p-th percentile of the recorded latencies (nearest
// rank), or 0 when nothing was recorded.
func (r loadResult) percentile(p float64) time.Duration { return percentile(r.Times, p) }

// percentile is the p-th percentile (nearest rank) of sorted, or 0 when it
// is empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// drive runs op on workers goroutines until d has passed (or ctx ends),
// timing each call. op gets the worker's number and returns an error for
// a failed operation; the first few failures are kept.
func drive(ctx context.Context, workers int, d time.Duration, op func(ctx context.Context, worker int) error) loadResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			var times []time.Duration
			errs := 0
			var first error
			for ctx.Err() == nil {
				t0 := time.Now()
				err := op(ctx, w)
				if err != nil && ctx.Err() != nil {
					break // cut short by the end of the run: not counted
				}
				// An operation that finished after the end of the run
				// still counts (Elapsed runs until it did): on a busy
				// machine one argon2id hash may outlast a short run.
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				times = append(times, time.Since(t0))
			}
			mu.Lock()
			res.Times = append(res.Times, times...)
			res.Errors += errs
			if res.FirstErr == nil {
				res.FirstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Ops = len(res.Times)
	slices.Sort(res.Times)
	return res
}

// procUsage is a process's CPU time so far and its peak resident memory.
type procUsage struct {
	CPU    time.Duration // user and system time
	PeakKB int           // VmHWM
}

// readProcUsage reads /proc/PID/stat and /proc/PID/status; on a system
// without them it returns zeros.
func readProcUsage(pid int) procUsage {
	var u procUsage
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err == nil {
		// The fields after the command name, which is in parentheses.
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 {
			f := strings.Fields(string(stat)[i+1:])
			if len(f) > 13 {
				ut, _ := strconv.ParseInt(f[11], 10, 64)
				st, _ := strconv.ParseInt(f[12], 10, 64)
				u.CPU = time.Duration(ut+st) * time.Second / clockTicks
			}
		}
	}
	if v := procField(fmt.Sprintf("/proc/%d/status", pid), "VmHWM"); v != "" {
		u.PeakKB, _ = strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(v, "kB")))
	}
	return u
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on Linux
// everywhere that matters.
const clockTicks = 100

// msText writes a latency in milliseconds with its unit, "-" for none.
func msText(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return ms(d) + " ms"
}

// ms writes a duration in milliseconds, with more digits when short.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// storagePool is the pool of Carrel's storage that kind ("read" or
// "write") goes through: SQLite has one of each, PostgreSQL one for both.
func storagePool(pools map[string]*sql.DB, kind string) *sql.DB {
	if p, ok := pools[kind]; ok {
		return p
	}
	for _, p := range pools {
		return p
	}
	return nil
}
