package cli_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/carrel-library/carrel/internal/library"
)

// secret is a value that must never be found at rest or in a log: a PIN,
// a temporary PIN, a password or an HKID number in one of its forms.
type secret struct {
	what  string // what it is, for the report
	value string
}

// secretForm is a secret as a careless system might have written it.
type secretForm struct {
	how string
	b   []byte
}

// secretForms returns the forms of s to look for: as typed, in upper and
// lower case, in UTF-16, hex and base64, and hashed without salt.
func secretForms(s string) []secretForm {
	var forms []secretForm
	add := func(how string, b []byte) {
		for _, f := range forms {
			if bytes.Equal(f.b, b) {
				return
			}
		}
		forms = append(forms, secretForm{how, b})
	}
	for _, v := range []struct{ how, s string }{{"as typed", s}, {"upper case", strings.ToUpper(s)}, {"lower case", strings.ToLower(s)}} {
		add(v.how, []byte(v.s))
		u := utf16.Encode([]rune(v.s))
		le, be := make([]byte, 2*len(u)), make([]byte, 2*len(u))
		for i, r := range u {
			binary.LittleEndian.PutUint16(le[2*i:], r)
			binary.BigEndian.PutUint16(be[2*i:], r)
		}
		add(v.how+", UTF-16LE", le)
		add(v.how+", UTF-16BE", be)
		add(v.how+", hex", []byte(hex.EncodeToString([]byte(v.s))))
		add(v.how+", HEX", []byte(strings.ToUpper(hex.EncodeToString([]byte(v.s)))))
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			for _, b := range base64Cores(enc, []byte(v.s)) {
				add(v.how+", base64", b)
			}
		}
	}
	sum256, sum1, sum5 := sha256.Sum256([]byte(s)), sha1.Sum([]byte(s)), md5.Sum([]byte(s))
	add("SHA-256", sum256[:])
	add("SHA-256, hex", []byte(hex.EncodeToString(sum256[:])))
	add("SHA-256, base64", []byte(base64.RawStdEncoding.EncodeToString(sum256[:])))
	add("SHA-1, hex", []byte(hex.EncodeToString(sum1[:])))
	add("MD5, hex", []byte(hex.EncodeToString(sum5[:])))
	return forms
}

// base64Cores returns the characters of b's base64 encoding that do not
// depend on the bytes around it, for each of the three alignments b can
// have inside a longer encoded text.
func base64Cores(enc *base64.Encoding, b []byte) [][]byte {
	var cores [][]byte
	for pad := range 3 {
		s := enc.EncodeToString(append(make([]byte, pad), b...))
		first := (pad*8 + 5) / 6       // the first character made only of b's bits
		last := (pad + len(b)) * 8 / 6 // characters before this one hold only known bits
		if last-first >= 4 {
			cores = append(cores, []byte(s[first:last]))
		}
	}
	return cores
}

// findSecrets lists every form of every secret found in any of the places
// (a database file, a log: name → contents).
func findSecrets(places map[string][]byte, secrets []secret) []string {
	var found []string
	names := make([]string, 0, len(places))
	for name := range places {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, s := range secrets {
		for _, f := range secretForms(s.value) {
			for _, name := range names {
				if i := bytes.Index(places[name], f.b); i >= 0 {
					found = append(found, fmt.Sprintf("%s %q (%s) in %s at byte %d", s.what, s.value, f.how, name, i))
				}
			}
		}
	}
	return found
}

// hkid returns a valid HKID number with the given letters and six digits,
// in its printed form, e.g. "A123456(3)", by finding its check digit.
func hkid(t *testing.T, letters, digits string) string {
	t.Helper()
	for _, c := range "0123456789A" {
		if v, err := library.ValidHKID(letters + digits + string(c)); err == nil {
			return v
		}
	}
	t.Fatalf("no check digit makes %s%s an HKID number", letters, digits)
	return ""
}

// wrongHKID returns the HKID number with the given letters and digits and a
// wrong check digit, as a typing error in the college's records gives.
func wrongHKID(t *testing.T, letters, digits string) string {
	t.Helper()
	right := hkid(t, letters, digits)
	check := "1"
	if right[len(right)-2] == '1' {
		check = "2"
	}
	return letters + digits + "(" + check + ")"
}

// hkidSecrets returns the forms an HKID number might be stored in: as
// printed, without brackets, in lower case (secretForms adds it), the
// letters and digits without the check digit, the digits with it, and
// the preset PIN derived from it, last.
func hkidSecrets(t *testing.T, whose, printed string) []secret {
	t.Helper()
	bare := strings.NewReplacer("(", "", ")", "").Replace(printed)
	letters := strings.TrimRight(bare[:len(bare)-1], "0123456789")
	// The preset rule, worked out here so that a number with a wrong check
	// digit has one too: the letter before the digits and five digits.
	preset := bare[len(letters)-1 : len(letters)+5]
	if want, err := library.HKIDPreset(printed); err == nil && want != preset {
		t.Fatalf("preset of %s: %s, Carrel says %s", printed, preset, want)
	}
	return []secret{
		{"HKID of " + whose, printed},
		{"HKID of " + whose + " without brackets", bare},
		{"HKID of " + whose + " without its check digit", bare[:len(bare)-1]},
		{"HKID digits of " + whose, bare[len(letters):]},
		{"HKID preset PIN of " + whose, preset},
	}
}

// runCarrel runs the carrel binary as a librarian would, with stdin, and
// returns its exit code and output.
func runCarrel(t *testing.T, bin, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("carrel %s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errOut.String()
}

// readIfThere returns a file's contents, or nothing if it does not exist.
func readIfThere(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return b
}

// patronSignIn posts the sign-in form and returns the status and where it
// leads.
func (d *webClient) patronSignIn(t *testing.T, barcode, pin string) (int, string) {
	t.Helper()
	code, _, err := d.do("POST", "/account/login", url.Values{"barcode": {barcode}, "pin": {pin}})
	if err != nil {
		t.Fatal(err)
	}
	return code, d.location
}

// mustPatronSignIn signs in and expects to be sent to want.
func (d *webClient) mustPatronSignIn(t *testing.T, barcode, pin, want string) {
	t.Helper()
	if code, loc := d.patronSignIn(t, barcode, pin); code != http.StatusSeeOther || loc != want {
		t.Fatalf("sign-in of %s: %d to %q, want 303 to %q", barcode, code, loc, want)
	}
}

// page gets a page and returns it with its CSRF token.
func (d *webClient) page(t *testing.T, path string) (string, string) {
	t.Helper()
	code, page, err := d.do("GET", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := csrfInput.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		t.Fatalf("GET %s: %d, no CSRF token\n%.300s", path, code, page)
	}
	return page, m[1]
}

// post sends a form from the page at from to path with its CSRF token and
// returns the status.
func (d *webClient) post(t *testing.T, from, path string, form url.Values) (int, string) {
	t.Helper()
	_, csrf := d.page(t, from)
	form.Set("csrf", csrf)
	code, page, err := d.do("POST", path, form)
	if err != nil {
		t.Fatal(err)
	}
	return code, page
}

// changePIN sends Change Password and returns the status.
func (d *webClient) changePIN(t *testing.T, old, pin, confirm string) int {
	t.Helper()
	code, _ := d.post(t, "/account/password", "/account/password", url.Values{"old_pin": {old}, "new_pin": {pin}, "confirm_pin": {confirm}})
	return code
}

// mustChangePIN changes the PIN and expects the borrowing record.
func (d *webClient) mustChangePIN(t *testing.T, old, pin string) {
	t.Helper()
	if code := d.changePIN(t, old, pin, pin); code != http.StatusSeeOther {
		t.Fatalf("change PIN: %d, want 303", code)
	}
}

// signOut signs the patron out.
func (d *webClient) signOut(t *testing.T) {
	t.Helper()
	if code, _ := d.post(t, "/account", "/account/logout", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("sign out: %d, want 303", code)
	}
}

// sessionTokens returns the session tokens the clients' cookie jars hold,
// patron and staff: anyone who found one in the database file, its WAL or
// a log could take over that session. It fails the test when a client
// holds none, since the search would then prove nothing.
func sessionTokens(t *testing.T, clients map[string]*webClient) []secret {
	t.Helper()
	var out []secret
	for who, c := range clients {
		u, err := url.Parse(c.base)
		if err != nil {
			t.Fatal(err)
		}
		n := len(out)
		for _, ck := range c.c.Jar.Cookies(u) {
			if ck.Name == "carrel_session" || ck.Name == "carrel_staff" {
				out = append(out, secret{who + " session token", ck.Value})
			}
		}
		if len(out) == n {
			t.Fatalf("%s holds no session cookie: the search for its token would prove nothing", who)
		}
	}
	return out
}

// findTokens is findSecrets for session tokens. The server keeps a
// token's SHA-256 to find its session by, so that form is looked for in
// the output only; every other form, everywhere.
func findTokens(places map[string][]byte, tokens []secret) []string {
	var found []string
	for name, b := range places {
		hashAllowed := !strings.HasPrefix(name, "output of ")
		for _, s := range tokens {
			for _, f := range secretForms(s.value) {
				if hashAllowed && strings.HasPrefix(f.how, "SHA-256") {
					continue
				}
				if i := bytes.Index(b, f.b); i >= 0 {
					found = append(found, fmt.Sprintf("%s %q (%s) in %s at byte %d", s.what, s.value, f.how, name, i))
				}
			}
		}
	}
	slices.Sort(found)
	return found
}
