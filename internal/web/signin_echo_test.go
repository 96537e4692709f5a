package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// barcodeInput and pinInput match the sign-in form's two fields.
var (
	barcodeInput = regexp.MustCompile(`<input id="barcode"[^>]*>`)
	pinInput     = regexp.MustCompile(`<input id="pin"[^>]*>`)
)

// echoMasked fails the test unless the sign-in page in res keeps typed in
// the barcode field, normalised as the domain normalises barcodes, and
// leaves the PIN field empty. It returns the answer with that one echo
// replaced by a mask, so that answers to different barcodes can be
// compared byte for byte: what remains may depend on nothing else.
func echoMasked(t *testing.T, res response, typed string) answer {
	t.Helper()
	want := `value="` + html.EscapeString(library.NormalizeBarcode(typed)) + `"`
	field := barcodeInput.FindString(res.body)
	if !strings.Contains(field, want) {
		t.Errorf("typed %q: the barcode field is %s, want it to hold %s", typed, field, want)
	}
	if pin := pinInput.FindString(res.body); pin == "" || strings.Contains(pin, "value=") {
		t.Errorf("typed %q: the PIN field is %q, want it empty", typed, pin)
	}
	a := answerOf(res)
	a.body = strings.Replace(a.body, field, strings.Replace(field, want, `value="<typed>"`, 1), 1)
	return a
}

// TestSignInKeepsTypedBarcode proves that after a failed sign-in the
// barcode field holds what the patron typed, normalised (spaces and dashes
// dropped, full-width characters and lower case made plain capitals),
// escaped, and the PIN field is empty; and that the answers to an unknown
// barcode, a card holder and a wrong PIN, typed each in a different untidy
// way, are byte for byte the same but for that echo: status, page, headers
// and cookies. The same holds for the answers while sign-in is paused.
func TestSignInKeepsTypedBarcode(t *testing.T) {
	l := newLibrary(t, nil)
	enumerationPatrons(l)

	attempts := []struct{ name, typed, pin, want string }{
		{"unknown barcode", " 9999-9999 ", "whatever-1", "99999999"},
		{"card holder with its barcode", "2501 7342", "25017342", "25017342"},
		{"active patron, wrong PIN", "２４０６－２９５３", "wrong-pin-1", "24062953"},
		{"preset patron, wrong PIN", "2403\t1588", "24031589", "24031588"},
		{"unknown, letters in lower case", "s1234-567", "wrong-pin-1", "S1234567"},
		{"unknown, markup", `"><b>12`, "wrong-pin-1", `&#34;&gt;&lt;B&gt;12`},
	}
	var first answer
	for i, a := range attempts {
		res := l.client().signIn(a.typed, a.pin)
		if !strings.Contains(barcodeInput.FindString(res.body), `value="`+a.want+`"`) {
			t.Errorf("%s: typed %q, the barcode field is %s, want value=%q", a.name, a.typed, barcodeInput.FindString(res.body), a.want)
		}
		got := echoMasked(t, res, a.typed)
		if i == 0 {
			first = got
			if got.status != http.StatusUnauthorized {
				t.Fatalf("%s: status %d, want 401", a.name, got.status)
			}
			mustNotContain(t, res.body, a.pin)
			continue
		}
		if len(library.NormalizeBarcode(a.typed)) == 8 {
			// Content-Length follows the echo's length: compared where it is alike.
			sameAnswer(t, a.name, got, first)
		} else if got.status != first.status {
			t.Errorf("%s: status %d, want %d", a.name, got.status, first.status)
		}
	}

	// Paused: an unknown barcode and an active patron, even with the right PIN.
	paused := []struct{ name, typed, right string }{
		{"unknown barcode", "8888 8888", "whatever-1"},
		{"active patron", "2406-2953", "right-pin-24062953"},
	}
	for i, p := range paused {
		for range l.cfg.Throttle.MaxFailures {
			l.client().signIn(p.typed, "wrong-pin-2")
		}
		res := l.client().signIn(p.typed, p.right)
		got := echoMasked(t, res, p.typed)
		if i == 0 {
			first = got
			if got.status != http.StatusTooManyRequests {
				t.Fatalf("paused %s: status %d, want 429", p.name, got.status)
			}
			continue
		}
		sameAnswer(t, "paused "+p.name, got, first)
	}
}
