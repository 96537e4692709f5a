package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// loansPerPage is how many loans a page of a borrowing record lists: a
// patron with a thousand loans gets twenty readable pages, and the page's
// cost grows with what it shows.
const loansPerPage = 50

// pager is one page of a long list and the way to the others. A list that
// fits on one page has no pager.
type pager struct {
	Page, Pages int
	From, To    int // the list's first and last shown, counted from 1
	Total       int
	Count       string // Total grouped for reading, "1,000"
	Label       msg    // the navigation's name for assistive technology
	Range       msg    // "Loans 51–100 of 1,000"
	Prev, Next  string
	Links       []pageLink
}

// pageLink is one entry of the page numbers: a page, or a gap ("…").
type pageLink struct {
	N       int
	URL     string
	Label   msg // "Page 3"
	Current bool
	Gap     bool
}

// pageWindow is how many page numbers either side of the current one the
// pager lists, besides the first and the last.
const pageWindow = 2

// recordPager is the pager of a borrowing record that shows one page of
// its loans (library.BorrowingRecordPage): the domain has already chosen
// the page, and read only its loans.
func recordPager(rec library.Record, url func(n int) string, label string) *pager {
	_, _, p := pageAt(max(rec.Page, 1), rec.LoanCount, loansPerPage, url, label, "pager.loans_range")
	return p
}

// pageAt returns page number page of a list of total entries, the bounds
// of that page in the list and its pager (nil when the list fits on one
// page). url gives the address of page n. A page out of range gives the
// nearest page there is.
func pageAt(page, total, perPage int, url func(n int) string, label, rangeKey string) (from, to int, p *pager) {
	pages := max((total+perPage-1)/perPage, 1)
	page = min(max(page, 1), pages)
	from, to = (page-1)*perPage, min(page*perPage, total)
	if pages == 1 {
		return from, to, nil
	}
	p = &pager{Page: page, Pages: pages, From: from + 1, To: to, Total: total, Count: grouped(total), Label: m(label)}
	p.Range = m(rangeKey, "from", grouped(p.From), "to", grouped(p.To), "total", p.Count, "n", total)
	if page > 1 {
		p.Prev = url(page - 1)
	}
	if page < pages {
		p.Next = url(page + 1)
	}
	// The first and last pages, and those near the current one; a gap of
	// a single page shows that page rather than "…".
	lo, hi := max(page-pageWindow, 1), min(page+pageWindow, pages)
	if lo == 3 {
		lo = 2
	}
	if hi == pages-2 {
		hi = pages - 1
	}
	link := func(n int) {
		p.Links = append(p.Links, pageLink{N: n, URL: url(n), Label: m("pager.page", "n", n), Current: n == page})
	}
	if lo > 1 {
		link(1)
	}
	if lo > 2 {
		p.Links = append(p.Links, pageLink{Gap: true})
	}
	for n := lo; n <= hi; n++ {
		link(n)
	}
	if hi < pages-1 {
		p.Links = append(p.Links, pageLink{Gap: true})
	}
	if hi < pages {
		link(pages)
	}
	return from, to, p
}

// askedPage reads the page number a request asks for: from the query of
// a GET, from the form of a POST (a renewal made on that page). Anything
// that is not a number is the first page; a number too large for an int
// is the last.
func askedPage(r *http.Request) int {
	s := r.URL.Query().Get("page")
	if r.Method == http.MethodPost {
		s = r.PostForm.Get("page")
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case errors.Is(err, strconv.ErrRange) && n > 0:
		return n
	case err != nil || n < 1:
		return 1
	}
	return n
}

// grouped writes a count (never negative) with its thousands grouped, "1,000", as both
// English and Hong Kong Chinese write numbers.
func grouped(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
