package web

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
