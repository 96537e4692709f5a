package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// scaleReport is the outcome of `carrel-load scale`.
type scaleReport struct {
	Machine  string
	Database string
	Requests int
	Warmup   int
	Results  []scaleResult
	Elapsed  time.Duration
}

// kinds are the records measured, in the order first met: the columns.
func (r scaleReport) kinds() []string {
	var ks []string
	for _, res := range r.Results {
		for _, t := range res.Records {
			if !slices.Contains(ks, t.Kind) {
				ks = append(ks, t.Kind)
			}
		}
	}
	return ks
}

// timing is the record of kind k in res, if it was measured.
func (res scaleResult) timing(k string) (recordTiming, bool) {
	for _, t := range res.Records {
		if t.Kind == k {
			return t, true
		}
	}
	return recordTiming{}, false
}

// markdown writes the report as Markdown: the curve as a table (p50 and
// p99 for each library and patron), then the libraries' shapes, then every
// measurement in full.
func (r scaleReport) markdown() string {
	var b strings.Builder
	kinds := r.kinds()
	fmt.Fprintf(&b, "### The borrowing record as the library grows\n\n")
	fmt.Fprintf(&b, "Machine: %s. Database: %s.\n", r.Machine, r.Database)
	fmt.Fprintf(&b, "Each cell is the p50 (p99) latency in ms of %d requests of the patron's borrowing record (GET /account, signed in), "+
		"one at a time over loopback after %d to warm up, timed from sending the request to reading the last byte; "+
		"the records are requested in turn, so that other work on the machine falls on all of them alike.\n\n", r.Requests, r.Warmup)
	b.WriteString("| Library (loans) |")
	for _, k := range kinds {
		fmt.Fprintf(&b, " %s |", k)
	}
	b.WriteString("\n| ---: |")
	b.WriteString(strings.Repeat(" ---: |", len(kinds)))
	b.WriteString("\n")
	for _, res := range r.Results {
		fmt.Fprintf(&b, "| %s |", groupDigits(res.Shape.Loans))
		for _, k := range kinds {
			if t, ok := res.timing(k); ok {
				fmt.Fprintf(&b, " %s (%s) |", ms(t.P50), ms(t.P99))
			} else {
				b.WriteString(" — |")
			}
		}
		b.WriteString("\n")
	}
	if len(r.Results) > 0 {
		first := r.Results[0].Records
		fmt.Fprintf(&b, "\nThe student is the library's first load-test student (%s). ", studentLoans(r.Results))
		if last := first[len(first)-1]; strings.Contains(last.Kind, "page") {
			fmt.Fprintf(&b, "The record of the patron with the most loans is split into pages: %q is its last page (%s).\n", last.Kind, last.Path)
		} else {
			b.WriteString("Every record shows all its current loans on one page: no record was split into pages.\n")
		}
	}

	b.WriteString("\nThe libraries (one loan in twenty current, a patron for every 40 loans, an item for every 4; at least 500 patrons):\n\n")
	b.WriteString("| Library (loans) | returned | current | patrons | items | generated in |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, res := range r.Results {
		s := res.Shape
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %.1f s |\n", groupDigits(s.Loans), groupDigits(s.Returned), groupDigits(s.Open),
			groupDigits(s.Patrons), groupDigits(s.Items), res.Built.Seconds())
	}

	b.WriteString("\nEvery measurement (ms):\n\n")
	b.WriteString("| Library (loans) | record | page | loans shown | page KiB | p50 | p95 | p99 | max |\n| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, res := range r.Results {
		for _, t := range res.Records {
			fmt.Fprintf(&b, "| %s | %s | `%s` | %d | %.1f | %s | %s | %s | %s |\n", groupDigits(res.Shape.Loans), t.Kind, t.Path, t.Rows,
				float64(t.Bytes)/1024, ms(t.P50), ms(t.P95), ms(t.P99), ms(t.Max))
		}
	}
	fmt.Fprintf(&b, "\nThe whole run took %s%s. On a machine shared with other work the figures are noisy, the p99 most: "+
		"compare the cells of one run with each other rather than with another run's.\n", r.Elapsed.Round(time.Second), loadAverage(" (load average %s at the end)"))
	return b.String()
}

// studentLoans says how many loans the typical student had in each library.
func studentLoans(rs []scaleResult) string {
	var s []string
	for _, res := range rs {
		if len(res.Records) > 0 {
			s = append(s, fmt.Sprintf("%d at %s", res.Records[0].Rows, groupDigits(res.Shape.Loans)))
		}
	}
	return "current loans: " + strings.Join(s, ", ")
}

// chart is the curve: the p50 of each record across the libraries, solid,
// and its p99, dashed.
func (r scaleReport) chart() lineChart {
	c := lineChart{
		Title:       "Carrel: the borrowing record's latency as the library grows",
		Subtitle:    []string{r.Database + "; p50 solid, p99 dashed", r.Machine},
		XLabel:      "library size, loans (log scale)",
		YLabel:      "GET /account latency, ms (log scale)",
		SolidLabel:  "p50",
		DashedLabel: "p99",
	}
	for _, k := range r.kinds() {
		s := chartSeries{Name: k}
		for _, res := range r.Results {
			if t, ok := res.timing(k); ok {
				x := float64(res.Shape.Loans)
				s.Points = append(s.Points, chartPoint{x, msFloat(t.P50)})
				s.Dashed = append(s.Dashed, chartPoint{x, msFloat(t.P99)})
			}
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// msFloat is d in milliseconds, at least a microsecond (the chart's axis
// is logarithmic).
func msFloat(d time.Duration) float64 {
	return max(float64(d)/float64(time.Millisecond), 0.001)
}

// writeSVGFile writes the chart to the file path, whole or not at all.
func (r scaleReport) writeSVGFile(path string) error {
	var b strings.Builder
	if err := r.chart().writeSVG(&b); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// scaleMachine describes the machine the figures come from: processor,
// cores, memory, Go, the load when the run began and, with --postgres,
// the PostgreSQL server's version.
func scaleMachine(ctx context.Context, postgres string) string {
	parts := []string{fmt.Sprintf("%s/%s", runtime.GOOS, runtime.GOARCH)}
	cpu := procField("/proc/cpuinfo", "model name")
	if cpu == "" {
		cpu = "CPU"
	}
	parts = append(parts, fmt.Sprintf("%d × %s", runtime.NumCPU(), cpu))
	if kb, err := strconv.Atoi(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB")); err == nil {
		parts = append(parts, fmt.Sprintf("%.0f GiB memory", float64(kb)/(1<<20)))
	}
	parts = append(parts, runtime.Version())
	if load := loadAverage("load average %s at the start"); load != "" {
		parts = append(parts, load)
	}
	if postgres != "" {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, postgres); err == nil {
			var v string
			if conn.QueryRow(ctx, `SHOW server_version`).Scan(&v) == nil {
				parts = append(parts, "PostgreSQL "+strings.Fields(v)[0])
			}
			conn.Close(ctx)
		}
	}
	return strings.Join(parts, ", ")
}

// loadAverage is the machine's load averages over 1, 5 and 15 minutes
// put in format, or "" where the system does not say.
func loadAverage(format string) string {
	load, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(load)); err == nil && len(f) >= 3 {
		return fmt.Sprintf(format, strings.Join(f[:3], " "))
	}
	return ""
}

// procField is the value of the first "name: value" line of a /proc file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
