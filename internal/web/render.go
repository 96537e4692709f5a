package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames are the pages; each is templates/NAME.html inside
// templates/layout.html, with the shared parts of templates/parts.html.
var pageNames = []string{"home", "login", "account", "password", "sessions", "error",
	"staff_login", "staff_code", "staff_enrol", "staff_home", "staff_patrons", "staff_patron",
	"staff_patron_edit", "staff_slip", "staff_checkout", "staff_checkin", "staff_items",
	"staff_item", "staff_item_form", "staff_holds", "staff_audit", "staff_cashup", "staff_receipt",
	"staff_confirm"}

// msg is a message to be shown in the patron's language: a catalogue key
// and its arguments as name, value pairs. Arguments may be msgs themselves.
type msg struct {
	Key  string
	Args []any
}

// m returns the msg for key with args as name, value pairs.
func m(key string, args ...any) msg { return msg{Key: key, Args: args} }

// base is what the layout needs on every page.
type base struct {
	Page       string // the page's name, for aria-current in the navigation
	Title      msg
	Path       string // where the language switch returns to
	Cfg        *library.Config
	Patron     *library.Patron // the signed-in patron, or nil
	CSRF       string
	MustChange bool
	Script     bool // the page has PIN fields and loads the show-PIN script

	// The staff desk's pages.
	Desk       bool           // a staff desk page: the desk's navigation and script
	Staff      *library.Staff // the signed-in staff member, or nil
	Admin      bool           // the staff member is an admin
	DeskScript bool           // the page has a scan field or a slip to print: load desk.js
}

// getPathOf gives, for paths that only take POST, the page a language
// switch should return to.
var getPathOf = map[string]string{
	"/account/renew":            "/account",
	"/account/logout":           loginPath,
	"/account/sessions/end":     sessionsPath,
	"/account/sessions/end-all": sessionsPath,
	"/lang":                     "/",
}

// base returns the layout data for a page of request r.
func (s *Server) base(r *http.Request, page string, title msg) base {
	path := r.URL.Path
	if p, ok := getPathOf[path]; ok {
		path = p
	}
	return base{Page: page, Title: title, Path: path, Cfg: s.cfg}
}

// signedInBase returns the layout data for an account page.
func (s *Server) signedInBase(r *http.Request, v *visit, page string, title msg) base {
	b := s.base(r, page, title)
	b.Patron = &v.patron
	b.CSRF = v.sess.CSRFToken
	b.MustChange = v.patron.PIN.MustChange()
	return b
}

// parseTemplates parses every page in every language at start-up. Each
// language has its own set, with t bound to its printer, so rendering
// needs no per-request cloning.
func (s *Server) parseTemplates() error {
	s.pages = make(map[string]map[string]*template.Template)
	for _, p := range s.cat.Printers() {
		set := make(map[string]*template.Template, len(pageNames))
		for _, name := range pageNames {
			t, err := template.New(name).Funcs(s.funcs(p)).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html", "templates/"+name+".html")
			if err != nil {
				return fmt.Errorf("web: template %s: %w", name, err)
			}
			// html/template checks its escaping contexts at the first
			// execution; do it now, so a broken template stops start-up.
			var escErr *template.Error
			if err := t.ExecuteTemplate(io.Discard, "layout", nil); errors.As(err, &escErr) {
				return fmt.Errorf("web: template %s: %w", name, err)
			}
			set[name] = t
		}
		s.pages[p.Code()] = set
	}
	return nil
}

// funcs are the template functions for one language.
func (s *Server) funcs(p *i18n.Printer) template.FuncMap {
	return template.FuncMap{
		"t":      func(key string, args ...any) template.HTML { return htmlMessage(p, key, args) },
		"msg":    func(x msg) template.HTML { return htmlMessage(p, x.Key, x.Args) },
		"lang":   p.Code,
		"date":   p.Date,
		"money":  p.Money,
		"asset":  s.assets.url,
		"tel":    telLink,
		"mailto": mailtoLink,
		"when":   func(t time.Time) string { return when(p, t, s.cfg.Location()) },
		"day":    func(t time.Time) string { return p.Date(library.DateOf(t, s.cfg.Location())) },
		"iso":    func(d library.Date) string { return d.String() },
		"dict":   dict,
		"langof": func(s string) string { return textLang(p.Code(), s) },
	}
}

// dict makes a map of name, value pairs, to pass several values to a
// shared template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("web: dict wants name, value pairs")
	}
	d := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("web: dict name %v is not a string", kv[i])
		}
		d[k] = kv[i+1]
	}
	return d, nil
}

// when writes an instant as the day and time of day in the library's zone:
// "28 Nov 2026 10:05"; nothing for the zero time.
func when(p *i18n.Printer, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return p.Date(library.DateOf(t, loc)) + " " + t.In(loc).Format("15:04")
}

// htmlMessage writes a message as HTML: its text escaped, arguments that
// are HTML already (links) kept, msgs expanded in turn.
func htmlMessage(p *i18n.Printer, key string, args []any) template.HTML {
	var b strings.Builder
	p.Expand(key, args,
		func(text string) { b.WriteString(template.HTMLEscapeString(text)) },
		func(v any) {
			switch v := v.(type) {
			case template.HTML:
				b.WriteString(string(v))
			case msg:
				b.WriteString(string(htmlMessage(p, v.Key, v.Args)))
			default:
				b.WriteString(template.HTMLEscapeString(p.Format(v)))
			}
		})
	return template.HTML(b.String())
}

// telLink links a phone number so that a phone can dial it.
func telLink(phone string) template.HTML {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		return -1
	}, phone)
	return template.HTML(`<a href="tel:` + template.HTMLEscapeString(digits) + `">` + template.HTMLEscapeString(phone) + `</a>`)
}

// mailtoLink links an email address.
func mailtoLink(email string) template.HTML {
	e := template.HTMLEscapeString(email)
	return template.HTML(`<a href="mailto:` + e + `">` + e + `</a>`)
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a page in the request's language. The page is built in
// full first, so a template failure gives an error page, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) error {
	t := s.pages[s.printer(r).Code()][page]
	if t == nil {
		return fmt.Errorf("web: no page %q", page)
	}
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer buffers.Put(buf)
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	// A failed write means the client went away; there is no one to tell.
	_, _ = w.Write(buf.Bytes())
	return nil
}

// redirect sends the browser to path with a GET (303 See Other).
func redirect(w http.ResponseWriter, r *http.Request, path string) error {
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}
