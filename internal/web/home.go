package web

import "net/http"

// home is the library's small front page with the way into My Account.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "home", m("title.home"))
	return s.render(w, r, http.StatusOK, "home", &b)
}
