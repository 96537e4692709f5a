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
func (r loadResult) percentile(p float64) time.Duration {
	if len(r.Times) == 0 {
		return 0
	}
	i := int(float64(len(r.Times))*p/100+0.999999) - 1
	return r.Times[min(max(i, 0), len(r.Times)-1)]
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
				if ctx.Err() != nil {
					break // cut short by the end of the run: not counted
				}
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

// msText writes a latency in milliseconds, with more digits when short.
func msText(d time.Duration) string {
	m := float64(d) / float64(time.Millisecond)
	switch {
	case d == 0:
		return "-"
	case m < 10:
		return fmt.Sprintf("%.2f ms", m)
	case m < 100:
		return fmt.Sprintf("%.1f ms", m)
	default:
		return fmt.Sprintf("%.0f ms", m)
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
