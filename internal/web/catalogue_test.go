package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

func newTestServer(t *testing.T) *Server {
	t.Helper()
	cfg := library.DefaultConfig()
	s, err := New(library.NewService(&cfg, nil, library.NewHasher(1)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// templateKeys returns the key of every t call in the templates.
func templateKeys(t *testing.T) []string {
	t.Helper()
	s := newTestServer(t)
	var keys []string
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			if len(n.Args) > 1 {
				if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "t" {
					if str, ok := n.Args[1].(*parse.StringNode); ok {
						keys = append(keys, str.Text)
					} else {
						t.Errorf("t called with a key that is not a literal: %s", n)
					}
				}
			}
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		}
	}
	for _, set := range s.pages[i18n.English] {
		for _, tmpl := range set.Templates() {
			if tmpl.Tree != nil {
				walk(tmpl.Tree.Root)
			}
		}
	}
	return keys
}

// goKeys returns the literal keys given to m(...) and msg{Key: ...} in
// this package's Go files.
func goKeys(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var lit ast.Expr
			switch n := n.(type) {
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "m" && len(n.Args) > 0 {
					lit = n.Args[0]
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Key" {
					lit = n.Value
				}
			}
			if bl, ok := lit.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				k, _ := strconv.Unquote(bl.Value)
				keys = append(keys, k)
			}
			return true
		})
	}
	return keys
}

// domainConstants returns the values of the domain's constants of a type
// (Reason, PINProblem), read from its source so that a new one is noticed.
func domainConstants(t *testing.T, typeName string) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("../library/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || vs.Type == nil {
				return true
			}
			if id, ok := vs.Type.(*ast.Ident); ok && id.Name == typeName {
				for _, v := range vs.Values {
					if bl, ok := v.(*ast.BasicLit); ok {
						s, _ := strconv.Unquote(bl.Value)
						vals = append(vals, s)
					}
				}
			}
			return true
		})
	}
	if len(vals) == 0 {
		t.Fatalf("found no %s constants in the domain", typeName)
	}
	return vals
}

// TestCatalogueCoversEveryKey proves every key the templates and handlers
// use, and every key built from a domain reason or PIN problem, is in the
// catalogue (which itself refuses to load unless both languages have the
// same keys).
func TestCatalogueCoversEveryKey(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	keys = append(keys, templateKeys(t)...)
	if len(keys) < 50 {
		t.Fatalf("found only %d t calls in the templates", len(keys))
	}
	keys = append(keys, goKeys(t)...)
	for _, r := range domainConstants(t, "Reason") {
		keys = append(keys, "reason."+r)
	}
	for _, p := range domainConstants(t, "PINProblem") {
		if p != string(library.PINMissing) {
			keys = append(keys, "pin.problem."+p)
		}
	}
	for _, f := range pinFields {
		keys = append(keys, "pin.missing."+f)
	}
	for _, r := range []library.Reason{library.ReasonNotRegistered, library.ReasonBlocked, library.ReasonExpired, library.ReasonFines, library.ReasonUnknownCategory} {
		keys = append(keys, "notice."+string(r)) // the reasons a patron cannot borrow at all
	}
	cfg := library.DefaultConfig()
	for _, name := range cfg.CategoryNames() {
		keys = append(keys, "category."+name)
	}
	for _, k := range keys {
		if !cat.Has(k) {
			t.Errorf("key %q is used but not in the catalogue", k)
		}
	}
}

// TestEveryPageRenders renders each page with every optional part shown,
// in both languages, and looks for missing messages and arguments.
func TestEveryPageRenders(t *testing.T) {
	s := newTestServer(t)
	r := httptest.NewRequest("GET", "/account", nil)
	patron := library.Patron{ID: 1, Barcode: "24031588", Category: "student", Name: "Wong Ka Yan", ExpiresOn: library.NewDate(2026, 12, 8)}
	v := &visit{sess: library.Session{CSRFToken: "token"}, patron: patron}
	loc := s.cfg.Location()
	due := time.Date(2026, 11, 24, 23, 59, 59, 0, loc)
	rec := library.Record{
		Patron: patron, Today: library.NewDate(2026, 11, 28), OverdueCount: 1, AccruingTotal: 400, FineBalance: 6200,
		BorrowRefusal: &library.Refusal{Reason: library.ReasonFines, Balance: 6200, Threshold: 5000},
		ExpiresSoon:   true,
		Loans: []library.LoanLine{
			{Loan: library.Loan{ID: 7, Item: library.Item{Title: "Introduction to Algorithms", Author: "Cormen"}, DueAt: due, CheckedOutAt: due.AddDate(0, 0, -14)}, OverdueDays: 4, DueInDays: -4, FineAccruing: 400},
			{Loan: library.Loan{ID: 8, Item: library.Item{Title: "SICP"}, DueAt: due.AddDate(0, 0, 5)}, DueInDays: 1, RenewRefusal: &library.Refusal{Reason: library.ReasonRenewalLimit, Limit: 2}},
		},
	}
	account := s.newAccountPage(r, v, rec)
	account.Flash = &msg{Key: "account.pin_changed"}
	account.Errors = formErrors{{"loan-7", m("account.none_selected")}}
	var outcomes []library.RenewOutcome
	for _, reason := range domainConstants(t, "Reason") {
		outcomes = append(outcomes, library.RenewOutcome{Item: library.Item{Title: "T"}, Refusal: &library.Refusal{Reason: library.Reason(reason), Limit: 2, Balance: 6200, Threshold: 5000, ExpiredOn: library.NewDate(2026, 8, 31)}})
	}
	outcomes = append(outcomes, library.RenewOutcome{Renewed: true, NewDue: due, Charged: 400})
	account.Results = s.renewResults(outcomes)
	rec.BorrowRefusal = nil
	renewable := s.newAccountPage(r, v, rec)

	login := s.newLoginPage(r)
	login.SignedOut = true
	login.Errors = formErrors{{"barcode", m("login.barcode_missing")}, {"pin", m("login.pin_missing")}}
	login.Alert = &alert{m("login.locked.title"), m("login.locked.body", "time", i18n.Clock(due), "phone", telLink("1"), "email", mailtoLink("a@b"))}
	failed := s.newLoginPage(r)
	failed.Alert = &alert{m("login.failed.title"), m("login.failed.body", "phone", telLink("1"), "email", mailtoLink("a@b"))}

	password := s.newPasswordPage(r, v)
	for _, p := range domainConstants(t, "PINProblem") {
		password.Errors = append(password.Errors, s.pinErrors(&library.PolicyError{Problem: library.PINProblem(p), Min: 8, Max: 128}, map[string]string{}, false)...)
	}
	home := s.base(r, "home", m("title.home"))
	pages := []struct {
		name string
		data any
	}{
		{"home", &home}, {"login", login}, {"login", failed}, {"account", account}, {"account", renewable}, {"password", password},
	}
	for _, e := range []*webError{errNotFound, errBadRequest, errForbidden, errTooLarge, errBusy, errRefused, errInternal} {
		pages = append(pages, struct {
			name string
			data any
		}{"error", &errorPage{base: s.base(r, "error", e.title), Body: e.body, Back: "/", BackLabel: m("error.home")}})
	}
	for _, p := range s.cat.Printers() {
		for _, pg := range pages {
			var b strings.Builder
			if err := s.pages[p.Code()][pg.name].ExecuteTemplate(&b, "layout", pg.data); err != nil {
				t.Fatalf("%s %s: %v", p.Code(), pg.name, err)
			}
			if i := strings.Index(b.String(), i18n.MissingMarker); i >= 0 {
				t.Errorf("%s %s: %s", p.Code(), pg.name, b.String()[i:min(len(b.String()), i+80)])
			}
		}
	}
}

// TestLocalPath checks the language switch only returns to this site.
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/account":             "/account",
		"/account/login":       "/account/login",
		"/a%20b":               "/a%20b",
		"":                     "/",
		"account":              "/",
		"//evil.example":       "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"/%0aSet-Cookie:x":     "/%0aSet-Cookie:x",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSessionCookieOverTLS checks the one place that names the session
// cookie: over TLS it is __Host- prefixed and Secure.
func TestSessionCookieOverTLS(t *testing.T) {
	s := newTestServer(t)
	if c := s.sessionCookie("x"); c.Name != "carrel_session" || c.Secure || !c.HttpOnly {
		t.Errorf("plain HTTP cookie: %+v", c)
	}
	s.tls = true
	c := s.sessionCookie("x")
	if c.Name != "__Host-carrel_session" || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" {
		t.Errorf("TLS cookie: %+v", c)
	}
}

// TestRedact checks quoted values (barcodes in storage errors) stay out of logs.
func TestRedact(t *testing.T) {
	got := redact(`storage: patron "24031588": database is locked`)
	if strings.Contains(got, "24031588") {
		t.Errorf("redact left the barcode: %s", got)
	}
}
