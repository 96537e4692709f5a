package web

import "net/http"

// StaffRoute is a staff desk route and who may use it: "open", "pending",
// "desk" or "admin".
type StaffRoute struct {
	Pattern string
	Access  string
}

// StaffRoutes lists every staff desk route the server registers, for the
// authorization tests.
func StaffRoutes() []StaffRoute {
	out := make([]StaffRoute, 0, len(staffRoutes))
	for _, r := range staffRoutes {
		out = append(out, StaffRoute{r.pattern, r.access.String()})
	}
	return out
}

// patternRecorder lists the patterns register adds.
type patternRecorder struct{ patterns []string }

func (p *patternRecorder) Handle(pattern string, _ http.Handler) {
	p.patterns = append(p.patterns, pattern)
}

// Patterns lists every route pattern the server registers on its mux, in
// order, for the walks that must cover every route.
func (s *Server) Patterns() []string {
	var p patternRecorder
	s.register(&p)
	return p.patterns
}
