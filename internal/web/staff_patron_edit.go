package web

import (
	"net/http"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// patronEditPage is the data of the form that edits a patron's details.
type patronEditPage struct {
	base
	P          library.Patron
	Name       string
	Email      string
	Category   string
	Categories []categoryOption
	Errors     formErrors
}

// categoryOption is a patron category in a choice.
type categoryOption struct {
	Name  string
	Label msg
}

func (s *Server) newPatronEditPage(r *http.Request, v *staffVisit, p library.Patron) *patronEditPage {
	e := &patronEditPage{base: s.staffBase(r, v, "staff_patron_edit", m("desk.title.patron_edit", "name", p.Name)),
		P: p, Name: p.Name, Email: p.Email, Category: p.Category}
	for _, name := range s.cfg.CategoryNames() {
		e.Categories = append(e.Categories, categoryOption{Name: name, Label: s.categoryName(name)})
	}
	return e
}

// staffPatronEditForm shows the patron's name, email and category to edit.
func (s *Server) staffPatronEditForm(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := s.svc.PatronFile(r.Context(), v.by, id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "staff_patron_edit", s.newPatronEditPage(r, v, f.Record.Patron))
}

// staffPatronEdit saves the patron's name, email and category. Each
// problem is shown beside its field.
func (s *Server) staffPatronEdit(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := s.svc.PatronFile(r.Context(), v.by, id)
	if err != nil {
		return err
	}
	page := s.newPatronEditPage(r, v, f.Record.Patron)
	page.Name = strings.TrimSpace(r.PostForm.Get("name"))
	page.Email = strings.TrimSpace(r.PostForm.Get("email"))
	page.Category = strings.TrimSpace(r.PostForm.Get("category"))
	if page.Name == "" || strings.ContainsAny(page.Name, "\r\n") {
		page.Errors = append(page.Errors, fieldError{"name", m("desk.edit.name_missing")})
	}
	if page.Email != "" && (!strings.Contains(page.Email, "@") || strings.ContainsAny(page.Email, " \t\r\n")) {
		page.Errors = append(page.Errors, fieldError{"email", m("desk.edit.email_bad")})
	}
	cat, ok := s.cfg.Category(page.Category)
	switch {
	case !ok:
		page.Errors = append(page.Errors, fieldError{"category", m("desk.edit.category_unknown")})
	case !cat.ValidBarcode(f.Record.Patron.Barcode):
		page.Errors = append(page.Errors, fieldError{"category", m("desk.edit.category_barcode", "hint", cat.BarcodeHint)})
	}
	if len(page.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "staff_patron_edit", page)
	}
	_, err = s.svc.EditPatron(r.Context(), v.by, id, library.PatronEdit{Name: page.Name, Email: page.Email, Category: page.Category})
	if library.IsCode(err, library.EINVALID) {
		page.Errors = formErrors{{"name", m("desk.edit.refused")}}
		return s.render(w, r, http.StatusUnprocessableEntity, "staff_patron_edit", page)
	}
	if err != nil {
		return err
	}
	return patronDone(w, r, id, "edited")
}
