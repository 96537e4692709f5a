package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// staffHome is the desk's front page: find a patron (a scan), find an
// item, and the way to each counter task.
func (s *Server) staffHome(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	p := &searchPage{base: s.staffBase(r, v, "staff_home", m("desk.title.home"))}
	p.DeskScript = true
	return s.render(w, r, http.StatusOK, "staff_home", p)
}

// searchPage is the data of the desk's home and of a patron search.
type searchPage struct {
	base
	Query    string
	Errors   formErrors
	Patrons  []patronRow
	Searched bool
	Replaced bool // the text is a replaced card's barcode
	Prev     string
	Next     string
}

// patronRow is one patron in search results.
type patronRow struct {
	ID       int64
	Name     string
	Barcode  string
	Email    string
	Category msg
	Status   msg
	Class    string
	Expires  library.Date
}

// staffPatronSearch finds patrons by barcode, name or email. A scanned
// barcode that matches goes straight to the patron's page.
func (s *Server) staffPatronSearch(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	p := &searchPage{base: s.staffBase(r, v, "staff_patrons", m("desk.title.patrons"))}
	p.DeskScript = true
	p.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	if p.Query == "" {
		p.Errors = formErrors{{"q", m("desk.search.patron_missing")}}
		return s.render(w, r, http.StatusUnprocessableEntity, "staff_patrons", p)
	}
	offset := pageOffset(r)
	page, err := s.svc.FindPatrons(r.Context(), v.by, library.PatronQuery{Text: p.Query, Offset: offset})
	if errors.Is(err, library.ErrSearchTooLong) {
		p.Query, p.Errors = searchTooLong(p.Query)
		return s.render(w, r, http.StatusUnprocessableEntity, "staff_patrons", p)
	}
	if err != nil {
		return err
	}
	if offset == 0 && len(page.Patrons) > 0 && page.Patrons[0].Barcode == library.NormalizeBarcode(p.Query) &&
		(len(page.Patrons) == 1 || page.Patrons[1].Barcode != page.Patrons[0].Barcode) {
		return redirect(w, r, patronPath(page.Patrons[0].ID))
	}
	p.Searched, p.Replaced = true, page.Replaced
	today := s.cfg.Today(s.svc.Now())
	for _, pt := range page.Patrons {
		st := pt.Status(today)
		p.Patrons = append(p.Patrons, patronRow{ID: pt.ID, Name: pt.Name, Barcode: pt.Barcode, Email: pt.Email,
			Category: s.categoryName(pt.Category), Status: statusMsg(st), Class: string(st), Expires: pt.ExpiresOn})
	}
	p.Prev, p.Next = pageLinks("/staff/patrons", url.Values{"q": {p.Query}}, offset, len(page.Patrons), page.More)
	return s.render(w, r, http.StatusOK, "staff_patrons", p)
}

// searchTooLong is the answer to a search text longer than the desk
// takes: the message beside the field, and the text cut to the length
// allowed, to shorten rather than type again.
func searchTooLong(text string) (string, formErrors) {
	if r := []rune(text); len(r) > library.MaxSearchLength {
		text = string(r[:library.MaxSearchLength])
	}
	return text, formErrors{{"q", m("desk.search.too_long", "max", library.MaxSearchLength)}}
}

// pageOffset reads the offset of a search page; anything odd is 0.
func pageOffset(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("offset"))
	if err != nil || n < 0 || n > 1_000_000 {
		return 0
	}
	return n
}

// pageLinks returns the links to the previous and next pages of a search
// that showed n results from offset.
func pageLinks(path string, q url.Values, offset, n int, more bool) (prev, next string) {
	if offset > 0 {
		q.Set("offset", strconv.Itoa(max(offset-library.DefaultPageSize, 0)))
		prev = path + "?" + q.Encode()
	}
	if more {
		q.Set("offset", strconv.Itoa(offset+n))
		next = path + "?" + q.Encode()
	}
	return prev, next
}

// patronPath is the desk's page of a patron.
func patronPath(id int64) string { return "/staff/patrons/" + strconv.FormatInt(id, 10) }

// itemPath is the desk's page of an item.
func itemPath(id int64) string { return "/staff/items/" + strconv.FormatInt(id, 10) }

// pathID reads the {id} of a route; a malformed one is a page that does
// not exist.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}
