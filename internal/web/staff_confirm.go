package web

import (
	"net/http"

	"github.com/carrel-library/carrel/internal/library"
)

// confirmPage is the data of the step that asks staff to confirm an action
// that cannot be undone (reset a PIN, complete a registration) before it
// is done: a page of its own, so that it works without JavaScript. Only
// its form, which carries confirm=yes and the session's CSRF token, acts.
type confirmPage struct {
	base
	Heading msg
	Body    msg
	Submit  msg
	Action  string            // where the confirming form posts
	Fields  map[string]string // hidden fields the form carries on
	Back    string            // where Cancel goes: nothing changed
	Holder  library.Patron
}

// confirmActions are the patron page's actions that ask first, by the
// kind of confirmation: where each one's form posts.
var confirmActions = map[string]string{"reset": "reset-pin", "register": "register"}

// confirmed reports whether a request is the confirming one.
func confirmed(r *http.Request) bool { return r.PostForm.Get("confirm") == "yes" }

// confirmStep shows the confirmation page for an action on the patron.
func (s *Server) confirmStep(w http.ResponseWriter, r *http.Request, v *staffVisit, p library.Patron, kind string, body msg, fields map[string]string) error {
	c := &confirmPage{
		base:    s.staffBase(r, v, "staff_confirm", m("desk.title.confirm_"+kind, "name", p.Name)),
		Heading: m("desk.confirm."+kind+".heading", "name", p.Name, "barcode", p.Barcode),
		Body:    body,
		Submit:  m("desk.confirm." + kind + ".submit"),
		Action:  patronPath(p.ID) + "/" + confirmActions[kind],
		Fields:  fields,
		Back:    patronPath(p.ID),
		Holder:  p,
	}
	return s.render(w, r, http.StatusOK, "staff_confirm", c)
}
