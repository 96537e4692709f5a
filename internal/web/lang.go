package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/carrel-library/carrel/internal/i18n"
)

// langCookie remembers the language a visitor chose with the switch.
const langCookie = "lang"

// printer returns the request's language: the one chosen with the switch,
// else the browser's preference, else English.
func (s *Server) printer(r *http.Request) *i18n.Printer {
	if c, err := r.Cookie(langCookie); err == nil {
		if p := s.cat.Printer(c.Value); p != nil {
			return p
		}
	}
	return s.cat.Match(r.Header.Get("Accept-Language"))
}

// setLanguage handles the language switch on every page: it remembers the
// choice for a year and returns to the page the visitor was on.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	code := r.PostForm.Get("lang")
	if s.cat.Printer(code) == nil {
		return errBadRequest
	}
	http.SetCookie(w, &http.Cookie{
		Name:     langCookie,
		Value:    code,
		Path:     "/",
		MaxAge:   365 * 24 * 60 * 60,
		HttpOnly: true,
		Secure:   s.tls,
		SameSite: http.SameSiteLaxMode,
	})
	return redirect(w, r, localPath(r.PostForm.Get("next")))
}

// localPath returns next when it is a path on this site, else "/", so the
// switch cannot be used to send someone to another site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	// The path is decoded and escaped again, which can turn "/%2f" into
	// "//": a browser reads that as another site's address.
	if p := u.EscapedPath(); !strings.HasPrefix(p, "//") {
		return p
	}
	return "/"
}
