package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/web"
)

// oversized is a form field just over the 64 KiB every request body is held to.
var oversized = strings.Repeat("1", 65<<10)

// bodies builds one oversized request body of each kind a client can send:
// a form with its length, the same form chunked (no length said in
// advance), and a multipart form with a file.
func bodies(t *testing.T) map[string]func() (io.Reader, string, int64) {
	t.Helper()
	// The barcode is the test patron's, so that a sign-in counted by
	// mistake would show in the throttle.
	form := url.Values{"barcode": {"24062953"}, "pin": {"wrong-pin"}, "csrf": {"x"}, "note": {oversized}}.Encode()
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	w.WriteField("barcode", "24062953")
	w.WriteField("pin", "wrong-pin")
	w.WriteField("csrf", "x")
	f, err := w.CreateFormFile("file", "patrons.csv")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte(oversized))
	w.Close()
	return map[string]func() (io.Reader, string, int64){
		"form": func() (io.Reader, string, int64) {
			return strings.NewReader(form), "application/x-www-form-urlencoded", int64(len(form))
		},
		"chunked form": func() (io.Reader, string, int64) {
			return io.MultiReader(strings.NewReader(form)), "application/x-www-form-urlencoded", -1
		},
		"multipart": func() (io.Reader, string, int64) {
			return bytes.NewReader(mp.Bytes()), w.FormDataContentType(), int64(mp.Len())
		},
		"chunked multipart": func() (io.Reader, string, int64) {
			return io.MultiReader(bytes.NewReader(mp.Bytes())), w.FormDataContentType(), -1
		},
	}
}

// TestBodyLimitEveryRoute proves every POST route the server registers
// answers a body over 64 KiB with 413 and the "too much was sent" page,
// whether the body says its length or comes chunked, as a form or as
// multipart, and whether the visitor is signed in or not: the body is
// refused before any route decides whether to read it. Nothing is
// changed: the patron's sign-in still works and counts no failure.
func TestBodyLimitEveryRoute(t *testing.T) {
	l := newLibrary(t, nil)
	srv, err := web.New(l.svc, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")
	patron := l.client()
	patron.mustSignIn(p.Barcode, "reading-room-7", "/account")
	desk := l.staffClient(l.staff("dee", library.RoleDesk))
	visitors := map[string]*client{"anonymous": l.client(), "patron": patron, "desk": desk}

	posts := 0
	for _, pattern := range srv.Patterns() {
		path, ok := strings.CutPrefix(pattern, "POST ")
		if !ok {
			continue
		}
		posts++
		path = strings.NewReplacer("{id}", "1", "{token}", "x").Replace(path)
		for who, c := range visitors {
			for kind, body := range bodies(t) {
				r, contentType, length := body()
				req, err := http.NewRequest(http.MethodPost, l.url+path, r)
				if err != nil {
					t.Fatal(err)
				}
				req.ContentLength = length
				req.Header.Set("Content-Type", contentType)
				res := c.do(req)
				if res.status != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "Too much was sent") {
					t.Errorf("%s: %s, %s: %d, want 413 and the too-large page", pattern, who, kind, res.status)
				}
			}
		}
	}
	if posts < 10 {
		t.Fatalf("only %d POST routes registered; the walk lost its list", posts)
	}
	// Nothing changed: no failure was counted against the barcode, and the
	// sessions still work.
	if res := patron.get("/account"); res.status != http.StatusOK {
		t.Errorf("patron's record after the oversized posts: %d", res.status)
	}
	if res := desk.get("/staff"); res.status != http.StatusOK {
		t.Errorf("desk after the oversized posts: %d", res.status)
	}
	for range l.cfg.Throttle.MaxFailures - 1 {
		l.client().signIn(p.Barcode, "not-the-pin")
	}
	l.client().mustSignIn(p.Barcode, "reading-room-7", "/account")
}
