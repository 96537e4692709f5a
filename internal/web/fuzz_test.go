package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// Fuzz targets for the functions that turn what a browser sends (form
// fields, hidden fields, query parameters, path segments) into typed
// values, and for the answers built from them.

// fuzzServer is a real server over a fresh SQLite library, made once per
// fuzz target and worker, for the targets that render or route.
func fuzzServer(f *testing.F) *Server {
	cfg := library.DefaultConfig()
	s, err := New(library.NewService(&cfg, storagetest.New(f), library.NewHasher(0)), Options{})
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// FuzzParseMoney: an amount staff type is read as whole cents or refused;
// what is read is never negative, never beyond what the domain's money
// holds, and reads back the same when written as the desk writes it.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12", "12.5", "12.50", "HKD 1,012.50", "$12", "HK$ 3", ".5", "5.", "-1", "1.234",
		"999999999999.99", "9999999999999", "１２", "1e3", "0x10", " 7 ", "HKD", "", "\x00", "12\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := parseMoney(s)
		if !ok {
			if m != 0 {
				t.Fatalf("parseMoney(%q) refused but gave %d", s, m)
			}
			return
		}
		if m < 0 || m >= 100_000_000_000_000 {
			t.Fatalf("parseMoney(%q) = %d cents", s, m)
		}
		if strings.Contains(s, "-") {
			t.Fatalf("parseMoney(%q) read a minus sign as %d", s, m)
		}
		canon := fmt.Sprintf("%d.%02d", m/100, m%100)
		for _, again := range []string{canon, "HKD " + canon, "$" + canon} {
			if m2, ok := parseMoney(again); !ok || m2 != m {
				t.Fatalf("parseMoney(%q) = %d, but parseMoney(%q) = %d, %v", s, m, again, m2, ok)
			}
		}
	})
}

// FuzzScanLines: the running list of a scan page comes back from the
// browser in a hidden field, so it is whatever a client sends. It is read
// or dropped, never more than maxScanLines, survives its own encoding, and
// every line is shown as escaped text: nothing in it reaches the page as
// markup, and nothing shows a missing message.
func FuzzScanLines(f *testing.F) {
	for _, s := range []string{
		`[{"k":"lent","i":"B0001","t":"Call to Arms","d":"2026-12-12"}]`,
		`[{"k":"refused","i":"B0001","r":"fines","b":6200,"h":5000},{"k":"no_item","i":"<script>alert(1)</script>"}]`,
		`[{"k":"returned","i":"B2","a":500,"p":"20240001","hn":"<b>Chan</b>","hb":"2024","hd":"not a date"}]`,
		`[{"k":"overridden","o":"\u0000\u202e","r":"unknown_reason","e":"2026-02-30"}]`,
		`[{"k":"whatever"}]`, `{"k":"lent"}`, `[]`, `null`, `[` + strings.Repeat(`{"k":"lent"},`, 50) + `{}]`, "\xff",
	} {
		f.Add(s)
	}
	s := fuzzServer(f)
	printers := s.cat.Printers()
	f.Fuzz(func(t *testing.T, field string) {
		lines := readScanLines(field)
		if len(lines) > maxScanLines {
			t.Fatalf("%d lines kept", len(lines))
		}
		if enc := encodeScanLines(lines); !reflect.DeepEqual(readScanLines(enc), lines) && len(lines) > 0 {
			t.Fatalf("lines %+v do not survive their encoding %q", lines, enc)
		}
		for _, v := range s.scanViews(lines) {
			msgs := append([]msg{v.Msg}, v.Extra...)
			if v.Hold != nil {
				msgs = append(msgs, *v.Hold)
			}
			for _, p := range printers {
				for _, x := range msgs {
					out := string(htmlMessage(p, x.Key, x.Args))
					if strings.ContainsAny(out, "<>") || strings.Contains(out, i18n.MissingMarker) || !utf8.ValidString(out) {
						t.Fatalf("line %+v shown in %s as %q", lines, p.Code(), out)
					}
				}
			}
		}
	})
}

// FuzzLocalPaths: the page to return to after a language switch or a
// staff sign-in comes from the client. It is always a path on this site,
// and stays one when a browser drops tabs and line breaks from it (as the
// URL standard says), so no value sends anyone to another site.
func FuzzLocalPaths(f *testing.F) {
	for _, s := range []string{"/account", "/staff/patrons?q=chan", "//evil.example", "/\\evil.example", "/\t/evil.example",
		"https://evil.example/", "/staff/../account", "/staff/login", "/%2f%2fevil.example", "/staff/x?next=//evil", "", "\x00", "/\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		for _, c := range []struct {
			name, got, prefix string
		}{{"localPath", localPath(next), "/"}, {"staffNext", staffNext(next), "/staff"}} {
			browser := strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(c.got)
			u, err := url.Parse(browser)
			if !strings.HasPrefix(browser, c.prefix) || strings.HasPrefix(browser, "//") || strings.ContainsRune(browser, '\\') ||
				err != nil || u.Host != "" || u.Scheme != "" {
				t.Fatalf("%s(%q) = %q: not a path on this site", c.name, next, c.got)
			}
		}
	})
}

// FuzzRequestNumbers: a page offset, a path id, an audit filter's day and
// actor come from the address. Each is read within its bounds or refused
// as not found, never a panic.
func FuzzRequestNumbers(f *testing.F) {
	for _, s := range []string{"0", "50", "-1", "1000001", "99999999999999999999", "1e3", "0x10", "", "２", "12abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := httptest.NewRequest(http.MethodGet, "/staff/patrons?"+url.Values{"offset": {s}}.Encode(), nil)
		if n := pageOffset(r); n < 0 || n > 1_000_000 {
			t.Fatalf("pageOffset(%q) = %d", s, n)
		}
		r.SetPathValue("id", s)
		if id, err := pathID(r); err == nil && id <= 0 || err != nil && err != errNotFound {
			t.Fatalf("pathID(%q) = %d, %v", s, id, err)
		}
		if d := date(s); !d.IsZero() && d.String() != s {
			t.Fatalf("date(%q) = %s", s, d)
		}
		if a := auditActor(s); s != "" && a == "" {
			t.Fatalf("auditActor(%q) is empty", s)
		}
	})
}

// FuzzLanguageForm sends any body and query to the language switch through
// the whole handler (body limit, origin check, form reading). The answer
// is never a server error, is one of the expected ones, and a redirect
// always stays on this site.
func FuzzLanguageForm(f *testing.F) {
	for _, s := range []struct{ query, body string }{
		{"", "lang=zh-Hant-HK&next=/account"}, {"", "lang=en&next=//evil.example"}, {"next=/x", "lang=fr"},
		{"", "lang=en&next=%00"}, {"", "lang=en&next=%ff"}, {"a=%zz", "lang=en&next=/%0a/evil"}, {"", "%"},
		{"", "lang=en&" + strings.Repeat("x", 70<<10)}, {"x=%00", "lang=en"}, {"", "lang=en&next=/%252fevil.example/%20"},
	} {
		f.Add(s.query, s.body)
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, query, body string) {
		target := "/lang"
		if query != "" {
			target += "?" + url.PathEscape(query)
		}
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		switch w.Code {
		case http.StatusSeeOther:
			loc := w.Header().Get("Location")
			if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.ContainsAny(loc, "\\\t\r\n") {
				t.Fatalf("body %q: redirect to %q", body, loc)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("query %q, body %q: status %d", query, body, w.Code)
		}
	})
}
