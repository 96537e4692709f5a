package web

import "net/http"

// routes builds the web service's handler: every route, behind the
// cross-origin check, the security headers, the body limit and metrics.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.register(mux)

	// Browsers say where a POST comes from; one from another site is
	// refused before any handler runs. The per-session token in every
	// account form is the second, independent check.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(s.handle(s.crossOrigin))
	// The metrics middleware goes outermost: it times the whole answer and
	// reads the route the mux records on the request.
	return s.metrics.Middleware(s.headers(limitBody(s.readBody(cop.Handler(s.readableQuery(mux))))))
}

// registrar is what register adds routes to: the server's mux, or in the
// tests a recorder that lists every pattern, so that the security walks
// cover each route registered here without a list of their own.
type registrar interface {
	Handle(pattern string, handler http.Handler)
}

// register lists every route of the web service.
func (s *Server) register(mux registrar) {
	mux.Handle("GET /{$}", s.handle(s.home))
	mux.Handle("GET /account/login", s.handle(s.loginForm))
	mux.Handle("POST /account/login", s.handle(s.login))
	mux.Handle("GET /account", s.handle(s.signedIn(s.account)))
	mux.Handle("POST /account/renew", s.handle(s.signedIn(s.renew)))
	mux.Handle("GET /account/password", s.handle(s.signedInToChangePIN(s.passwordForm)))
	mux.Handle("POST /account/password", s.handle(s.signedInToChangePIN(s.changePassword)))
	mux.Handle("POST /account/logout", s.handle(s.logout))
	mux.Handle("GET /account/sessions", s.handle(s.signedIn(s.sessions)))
	mux.Handle("POST /account/sessions/end", s.handle(s.signedIn(s.endSession)))
	mux.Handle("POST /account/sessions/end-all", s.handle(s.signedIn(s.endAllSessions)))
	mux.Handle("POST /lang", s.handle(s.setLanguage))
	mux.Handle("GET /healthz", s.handle(s.health))
	mux.Handle("GET /static/{file}", s.handle(s.static))
	for _, rt := range staffRoutes {
		mux.Handle(rt.pattern, s.handle(s.staffGuard(rt.handler, rt.access)))
	}
	if s.metrics != nil {
		// Served by Prometheus' handler, outside s.handle: no session, no
		// cookies; headers still makes it no-store.
		mux.Handle("GET /metrics", s.metrics.Handler())
	}
	mux.Handle("GET /", s.handle(s.notFound))
}
