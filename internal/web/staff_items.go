package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// itemsPage is the data of the item search.
type itemsPage struct {
	base
	Query    string
	Errors   formErrors
	Items    []itemRow
	Searched bool
	Prev     string
	Next     string
}

// itemRow is one item in search results.
type itemRow struct {
	ID         int64
	Barcode    string
	Title      string
	Author     string
	CallNumber string
	Location   string
	State      msg
	Class      string
}

// itemState says whether an item is on the shelf, on loan (to whom, until
// when) or withdrawn.
func (s *Server) itemState(st library.ItemStatus) (msg, string) {
	switch {
	case st.Item.Withdrawn:
		return m("desk.item.withdrawn"), "withdrawn"
	case st.OnLoan():
		return m("desk.item.on_loan", "barcode", st.PatronBarcode, "date", library.DateOf(st.Loan.DueAt, s.cfg.Location())), "on_loan"
	}
	return m("desk.item.on_shelf"), "on_shelf"
}

// staffItemSearch finds items by barcode, title, author or call number; a
// scanned barcode that matches goes straight to the item's page. Without
// a search it shows just the search form.
func (s *Server) staffItemSearch(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	p := &itemsPage{base: s.staffBase(r, v, "staff_items", m("desk.title.items"))}
	p.DeskScript = true
	q := r.URL.Query()
	p.Query = strings.TrimSpace(q.Get("q"))
	if p.Query == "" {
		if q.Has("q") {
			p.Errors = formErrors{{"q", m("desk.search.item_missing")}}
			return s.render(w, r, http.StatusUnprocessableEntity, "staff_items", p)
		}
		return s.render(w, r, http.StatusOK, "staff_items", p)
	}
	offset := pageOffset(r)
	page, err := s.svc.SearchItems(r.Context(), v.by, library.ItemQuery{Text: p.Query, Offset: offset})
	if errors.Is(err, library.ErrSearchTooLong) {
		p.Query, p.Errors = searchTooLong(p.Query)
		return s.render(w, r, http.StatusUnprocessableEntity, "staff_items", p)
	}
	if err != nil {
		return err
	}
	if offset == 0 && len(page.Items) == 1 && page.Items[0].Item.Barcode == library.NormalizeBarcode(p.Query) {
		return redirect(w, r, itemPath(page.Items[0].Item.ID))
	}
	p.Searched = true
	for _, st := range page.Items {
		state, class := s.itemState(st)
		it := st.Item
		p.Items = append(p.Items, itemRow{ID: it.ID, Barcode: it.Barcode, Title: it.Title, Author: it.Author,
			CallNumber: it.CallNumber, Location: it.Location, State: state, Class: class})
	}
	p.Prev, p.Next = pageLinks("/staff/items", url.Values{"q": {p.Query}}, offset, len(page.Items), page.More)
	return s.render(w, r, http.StatusOK, "staff_items", p)
}

// itemPage is the data of the desk's page of one item.
type itemPage struct {
	base
	F      library.ItemFile
	It     library.Item
	State  msg
	Class  string
	Due    library.Date
	Holds  []holdRow
	Flash  *msg
	Errors formErrors
	Form   map[string]string
}

// staffItem shows an item: where it is, its loan and its hold queue, and
// the forms to place a hold, edit or withdraw it.
func (s *Server) staffItem(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderItem(w, r, v, id, http.StatusOK, func(p *itemPage) {
		p.Flash = doneMsg(r)
	})
}

func (s *Server) renderItem(w http.ResponseWriter, r *http.Request, v *staffVisit, id int64, status int, edit func(*itemPage)) error {
	f, err := s.svc.ItemFile(r.Context(), v.by, id)
	if err != nil {
		return err
	}
	p := &itemPage{base: s.staffBase(r, v, "staff_item", m("desk.title.item", "title", f.Status.Item.Title)),
		F: f, It: f.Status.Item, Form: map[string]string{}}
	p.DeskScript = true
	p.State, p.Class = s.itemState(f.Status)
	if f.Status.OnLoan() {
		p.Due = library.DateOf(f.Status.Loan.DueAt, s.cfg.Location())
	}
	now := s.svc.Now()
	for _, h := range f.Holds {
		p.Holds = append(p.Holds, s.holdRow(h, now))
	}
	if edit != nil {
		edit(p)
	}
	return s.render(w, r, status, "staff_item", p)
}

// itemFormPage is the data of the form that adds or edits an item.
type itemFormPage struct {
	base
	ID     int64 // 0 when adding
	It     library.Item
	Errors formErrors
}

// staffItemNew shows the form for a new item.
func (s *Server) staffItemNew(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	p := &itemFormPage{base: s.staffBase(r, v, "staff_item_form", m("desk.title.item_new"))}
	return s.render(w, r, http.StatusOK, "staff_item_form", p)
}

// itemFromForm reads an item form and checks it, each problem beside its field.
func itemFromForm(r *http.Request) (library.Item, formErrors) {
	it := library.Item{
		Barcode:    library.NormalizeBarcode(r.PostForm.Get("barcode")),
		Title:      strings.TrimSpace(r.PostForm.Get("title")),
		Author:     strings.TrimSpace(r.PostForm.Get("author")),
		CallNumber: strings.TrimSpace(r.PostForm.Get("call_number")),
		Location:   strings.TrimSpace(r.PostForm.Get("location")),
	}
	var errs formErrors
	if it.Barcode == "" {
		errs = append(errs, fieldError{"barcode", m("desk.item.barcode_missing")})
	}
	if it.Title == "" {
		errs = append(errs, fieldError{"title", m("desk.item.title_missing")})
	}
	for _, f := range []struct{ name, v string }{{"title", it.Title}, {"author", it.Author}, {"call_number", it.CallNumber}, {"location", it.Location}} {
		if strings.ContainsAny(f.v, "\r\n") || len(f.v) > 1000 {
			errs = append(errs, fieldError{f.name, m("desk.item.field_bad")})
		}
	}
	return it, errs
}

// staffItemAdd adds an item. A barcode in use is refused beside the field;
// the form sent twice finds its barcode in use the second time.
func (s *Server) staffItemAdd(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	it, errs := itemFromForm(r)
	p := &itemFormPage{base: s.staffBase(r, v, "staff_item_form", m("desk.title.item_new")), It: it, Errors: errs}
	if len(errs) == 0 {
		added, err := s.svc.AddItem(r.Context(), v.by, it)
		switch {
		case library.IsCode(err, library.ECONFLICT):
			p.Errors = formErrors{{"barcode", m("desk.item.barcode_taken", "barcode", it.Barcode)}}
		case library.IsCode(err, library.EINVALID):
			p.Errors = formErrors{{"title", m("desk.item.field_bad")}}
		case err != nil:
			return err
		default:
			return redirect(w, r, itemPath(added.ID)+"?done=item_added")
		}
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "staff_item_form", p)
}

// itemEditPage is the edit form of the item in the request's path, filled
// with its stored details.
func (s *Server) itemEditPage(r *http.Request, v *staffVisit) (*itemFormPage, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	f, err := s.svc.ItemFile(r.Context(), v.by, id)
	if err != nil {
		return nil, err
	}
	return &itemFormPage{base: s.staffBase(r, v, "staff_item_form", m("desk.title.item_edit", "title", f.Status.Item.Title)),
		ID: id, It: f.Status.Item}, nil
}

// staffItemEditForm shows an item's details to edit.
func (s *Server) staffItemEditForm(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	p, err := s.itemEditPage(r, v)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "staff_item_form", p)
}

// staffItemEdit saves an item's details.
func (s *Server) staffItemEdit(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	p, err := s.itemEditPage(r, v)
	if err != nil {
		return err
	}
	id := p.ID
	it, errs := itemFromForm(r)
	it.ID = id
	p.It, p.Errors = it, errs
	if len(errs) == 0 {
		_, err := s.svc.EditItem(r.Context(), v.by, it)
		switch {
		case library.IsCode(err, library.ECONFLICT):
			p.Errors = formErrors{{"barcode", m("desk.item.barcode_taken", "barcode", it.Barcode)}}
		case library.IsCode(err, library.EINVALID):
			p.Errors = formErrors{{"title", m("desk.item.field_bad")}}
		case err != nil:
			return err
		default:
			return redirect(w, r, itemPath(id)+"?done=item_edited")
		}
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "staff_item_form", p)
}

// staffItemWithdraw takes an item out of the collection; an item on loan
// cannot be withdrawn.
func (s *Server) staffItemWithdraw(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostForm.Get("withdraw_reason"))
	if strings.ContainsAny(reason, "\r\n") || len(reason) > 500 {
		return s.itemFormError(w, r, v, id, http.StatusUnprocessableEntity, "withdraw_reason", m("desk.fine.note_bad"))
	}
	err = s.svc.WithdrawItem(r.Context(), v.by, id, reason)
	if rf, ok := library.AsRefusal(err); ok {
		return s.itemFormError(w, r, v, id, http.StatusConflict, "withdraw_reason", s.deskReason(rf))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, itemPath(id)+"?done=item_withdrawn")
}

// itemFormError shows the item's page again with a problem beside a field.
func (s *Server) itemFormError(w http.ResponseWriter, r *http.Request, v *staffVisit, id int64, status int, field string, x msg) error {
	return s.renderItem(w, r, v, id, status, func(p *itemPage) {
		p.Errors = formErrors{{field, x}}
		p.Form[field] = r.PostForm.Get(field)
	})
}

// staffItemHold places a hold on the item for the patron with the barcode
// typed or scanned.
func (s *Server) staffItemHold(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := s.svc.ItemFile(r.Context(), v.by, id)
	if err != nil {
		return err
	}
	barcode := library.NormalizeBarcode(r.PostForm.Get("patron_barcode"))
	if barcode == "" {
		return s.itemFormError(w, r, v, id, http.StatusUnprocessableEntity, "patron_barcode", m("desk.hold.patron_missing"))
	}
	p, err := s.svc.PatronByBarcode(r.Context(), v.by, barcode)
	if library.IsCode(err, library.ENOTFOUND) {
		return s.itemFormError(w, r, v, id, http.StatusUnprocessableEntity, "patron_barcode", m("desk.scan.no_patron", "barcode", barcode))
	}
	if err != nil {
		return err
	}
	_, err = s.svc.PlaceHold(r.Context(), v.by, p.ID, f.Status.Item.Barcode)
	if rf, ok := library.AsRefusal(err); ok {
		return s.itemFormError(w, r, v, id, http.StatusConflict, "patron_barcode", s.deskReason(rf))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, itemPath(id)+"?done=hold_placed")
}
