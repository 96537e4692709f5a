package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// scaleResult is one library's measurements.
type scaleResult struct {
	Shape   libraryShape
	Built   time.Duration
	Records []recordTiming // the typical student first, then the heavy patrons
}

// recordTiming is how long one patron's borrowing record (one page of it)
// took, over many requests.
type recordTiming struct {
	Kind     string // column heading, e.g. "1,000 loans"
	Loans    int    // the patron's current loans; -1 when unknown
	Path     string // what was requested, e.g. /account or /account?page=2
	Rows     int    // loans the page showed
	Bytes    int    // size of the page
	P50, P95 time.Duration
	P99, Max time.Duration
	N        int
}

// measureLibrary generates the library of loans loans, serves it and times
// the borrowing records.
func measureLibrary(ctx context.Context, o scaleOptions, loans int, dir string, stderr io.Writer) (scaleResult, error) {
	shape, err := newLibraryShape(loans, o.heavy)
	if err != nil {
		return scaleResult{}, err
	}
	fmt.Fprintf(stderr, "carrel-load scale: building a library of %s\n", shape)
	lib, err := buildLibrary(ctx, shape, o.seed, o.postgres, dir, stderr)
	if err != nil {
		return scaleResult{}, err
	}
	defer lib.Drop()
	fmt.Fprintf(stderr, "carrel-load scale: built in %s; serving it\n", lib.Elapsed.Round(100*time.Millisecond))
	srv, err := startCarrel(ctx, lib.DB)
	if err != nil {
		return scaleResult{}, err
	}
	defer srv.Stop()

	res := scaleResult{Shape: shape, Built: lib.Elapsed}
	var pages []*recordPage
	cards := append([]signInCard{lib.SignIns.Student}, lib.SignIns.Heavy...)
	for i, c := range cards {
		kind := loansHeading(c.Loans)
		if i == 0 {
			kind = "student"
		}
		p, err := openRecord(ctx, srv.URL, c, kind)
		if err != nil {
			return res, err
		}
		pages = append(pages, p)
	}
	// The patron with the most loans: if the record is split into pages,
	// the last page is timed too.
	if last := pages[len(pages)-1]; len(pages) > 1 && last.lastPage > 1 {
		extra := *last
		extra.path = fmt.Sprintf("/account?page=%d", last.lastPage)
		extra.kind = fmt.Sprintf("%s, page %d", last.kind, last.lastPage)
		if extra.rows, extra.bytes, err = extra.get(ctx); err != nil {
			return res, err
		}
		pages = append(pages, &extra)
	}
	fmt.Fprintf(stderr, "carrel-load scale: timing %d requests of each of %d records (%d to warm up)\n", o.requests, len(pages), o.warmup)
	times, err := timeRecords(ctx, pages, o.warmup, o.requests)
	if err != nil {
		return res, err
	}
	for i, p := range pages {
		t := recordTiming{Kind: p.kind, Loans: p.card.Loans, Path: p.path, Rows: p.rows, Bytes: p.bytes, N: len(times[i])}
		sorted := slices.Sorted(slices.Values(times[i]))
		t.P50, t.P95, t.P99 = percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99)
		t.Max = slices.Max(times[i])
		if i == 0 {
			t.Loans = p.rows // a student's record shows every loan on one page
		}
		res.Records = append(res.Records, t)
		fmt.Fprintf(stderr, "  %-22s %4d rows  p50 %7s  p95 %7s  p99 %7s\n", p.kind, p.rows, ms(t.P50), ms(t.P95), ms(t.P99))
	}
	return res, nil
}

// loansHeading is a column heading for a patron with n current loans.
func loansHeading(n int) string {
	if n == 1 {
		return "1 loan"
	}
	return groupDigits(n) + " loans"
}

// timeRecords requests each page warmup times, untimed, then n times
// each, timed, going round the pages in turn so that whatever else the
// machine does falls on all of them alike.
func timeRecords(ctx context.Context, pages []*recordPage, warmup, n int) ([][]time.Duration, error) {
	for range warmup {
		for _, p := range pages {
			if _, _, err := p.get(ctx); err != nil {
				return nil, err
			}
		}
	}
	times := make([][]time.Duration, len(pages))
	for range n {
		for i, p := range pages {
			start := time.Now()
			if _, _, err := p.get(ctx); err != nil {
				return nil, err
			}
			times[i] = append(times[i], time.Since(start))
		}
	}
	return times, nil
}

// recordPage is a signed-in patron's borrowing record, or one page of it.
type recordPage struct {
	client   *http.Client
	base     string
	card     signInCard
	kind     string
	path     string
	rows     int
	bytes    int
	lastPage int // the highest ?page= the record links to; 0 for none
}

// openRecord signs the patron in on the web (a session cookie, as a
// browser holds it) and reads the borrowing record once.
func openRecord(ctx context.Context, base string, c signInCard, kind string) (*recordPage, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	p := &recordPage{client: &http.Client{Jar: jar, Timeout: 60 * time.Second}, base: base, card: c, kind: kind, path: "/account"}
	form := url.Values{"barcode": {c.Barcode}, "pin": {c.PIN}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/account/login", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sign in as the %s patron: %w", kind, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// A successful sign-in goes on (303) to the record.
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/account" {
		return nil, fmt.Errorf("sign in as the %s patron: got %s at %s, want the borrowing record", kind, resp.Status, resp.Request.URL.Path)
	}
	body, err := p.fetch(ctx)
	if err != nil {
		return nil, err
	}
	p.rows, p.bytes, p.lastPage = countLoanRows(body), len(body), lastPageLink(body)
	if c.Loans >= 0 && p.rows != c.Loans && p.lastPage == 0 {
		return nil, fmt.Errorf("the %s patron's record shows %d loans on one page, want %d", kind, p.rows, c.Loans)
	}
	return p, nil
}

// get requests the page and says how many loans it shows and its size.
func (p *recordPage) get(ctx context.Context) (rows, size int, err error) {
	body, err := p.fetch(ctx)
	return countLoanRows(body), len(body), err
}

// fetch requests the page and reads it whole.
func (p *recordPage) fetch(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+p.path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the %s patron's record: %w", p.kind, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("the %s patron's record: %w", p.kind, err)
	}
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/account" {
		return nil, fmt.Errorf("the %s patron's record %s: got %s at %s", p.kind, p.path, resp.Status, resp.Request.URL.Path)
	}
	return body, nil
}

var (
	loanRow  = regexp.MustCompile(`<tr[^>]* id="row-\d+"`)
	pageLink = regexp.MustCompile(`href="(?:/account)?\?(?:[^"]*&amp;)?page=(\d+)`)
)

// countLoanRows counts the loans a borrowing record page shows.
func countLoanRows(page []byte) int { return len(loanRow.FindAllIndex(page, -1)) }

// lastPageLink is the highest page number the record links to, or 0 when
// it links to none (every loan is on one page).
func lastPageLink(page []byte) int {
	last := 0
	for _, m := range pageLink.FindAllSubmatch(page, -1) {
		if n, err := strconv.Atoi(string(m[1])); err == nil && n > last {
			last = n
		}
	}
	return last
}
