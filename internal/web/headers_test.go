package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoInlineCode proves the templates hold no inline script or style —
// no <script> without src, no <style> element, no on…= event attribute,
// no style= attribute, no javascript: URL — so the strict
// Content-Security-Policy (no 'unsafe-inline') breaks no page. And the
// policy every answer carries allows no inline code, no eval, nothing
// from another site and no framing.
func TestNoInlineCode(t *testing.T) {
	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) < 10 {
		t.Fatalf("templates: %v (%d files)", err, len(files))
	}
	tag := regexp.MustCompile(`(?is)<(script|style)\b[^>]*>`)
	attr := regexp.MustCompile(`(?i)[\s"']((on[a-z]+)|style)\s*=`)
	jsURL := regexp.MustCompile(`(?i)javascript:`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		for _, m := range tag.FindAllStringSubmatch(page, -1) {
			if strings.EqualFold(m[1], "style") || !strings.Contains(m[0], " src=") {
				t.Errorf("%s: inline %s: %s", f, m[1], m[0])
			}
		}
		for _, m := range attr.FindAllStringSubmatch(page, -1) {
			t.Errorf("%s: inline %s attribute", f, m[1])
		}
		if jsURL.MatchString(page) {
			t.Errorf("%s: a javascript: URL", f)
		}
	}

	l := newLibrary(t, nil)
	csp := l.client().get("/account/login").header.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	want := map[string]string{
		"default-src":     "'none'",
		"script-src":      "'self'",
		"style-src":       "'self'",
		"frame-ancestors": "'none'",
		"form-action":     "'self'",
		"base-uri":        "'none'",
	}
	for name, value := range want {
		if directives[name] != value {
			t.Errorf("Content-Security-Policy %s is %q, want %q (policy %q)", name, directives[name], value, csp)
		}
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"} {
		for name, value := range directives {
			if strings.Contains(" "+value+" ", " "+bad+" ") {
				t.Errorf("Content-Security-Policy %s allows %s", name, bad)
			}
		}
	}
}
