package cli_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// as PEM files, and returns their paths and the pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "carrel test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// httpsBrowser is a browser that trusts pool and keeps cookies.
func httpsBrowser(t *testing.T, pool *x509.CertPool) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// answer is one response as the header test looks at it.
type answer struct {
	status int
	header http.Header
	body   string
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(b)}
}

// securityHeaders are the headers every answer carries (item 7).
var securityHeaders = map[string]string{
	"X-Content-Type-Options":    "nosniff",
	"Referrer-Policy":           "same-origin",
	"X-Frame-Options":           "DENY",
	"Strict-Transport-Security": "max-age=31536000",
}

// checkHeaders checks the security headers of one answer: the fixed ones,
// a Content-Security-Policy that allows no inline code and no framing,
// and Cache-Control.
func checkHeaders(t *testing.T, what string, a answer, cache string) {
	t.Helper()
	for k, v := range securityHeaders {
		if got := a.header.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
	csp := a.header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("%s: Content-Security-Policy %q lacks %s", what, csp, d)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("%s: Content-Security-Policy %q allows %s", what, csp, bad)
		}
	}
	if got := a.header.Get("Cache-Control"); got != cache {
		t.Errorf("%s: Cache-Control %q, want %q", what, got, cache)
	}
}

// checkHostCookie checks a Set-Cookie header names a __Host- cookie as
// the prefix requires (Secure, Path=/, no Domain) and that it is HttpOnly
// with the given SameSite.
func checkHostCookie(t *testing.T, what, setCookie, name, sameSite string) {
	t.Helper()
	if !strings.HasPrefix(setCookie, "__Host-"+name+"=") {
		t.Errorf("%s: Set-Cookie %q, want the __Host-%s cookie", what, setCookie, name)
	}
	attrs := map[string]bool{}
	for _, a := range strings.Split(setCookie, ";")[1:] {
		attrs[strings.TrimSpace(a)] = true
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a)), "domain") {
			t.Errorf("%s: Set-Cookie %q has a Domain", what, setCookie)
		}
	}
	for _, a := range []string{"Path=/", "Secure", "HttpOnly", "SameSite=" + sameSite} {
		if !attrs[a] {
			t.Errorf("%s: Set-Cookie %q lacks %s", what, setCookie, a)
		}
	}
}

var (
	stylesheet = regexp.MustCompile(`href="(/static/carrel\.[0-9a-f]{12}\.css)"`)
	script     = regexp.MustCompile(`src="(/static/[a-z-]+\.[0-9a-f]{12}\.js)"`)
)

// TestServeTLS runs `carrel serve --tls-cert --tls-key` and walks every
// kind of page over HTTPS: the sign-in page, the borrowing record, change
// password, the home page, errors, the staff desk's pages and static
// files. Every answer carries the security headers with HSTS; every page
// is no-store and only content-hashed static files are cached; both
// session cookies are __Host- cookies; TLS below 1.2 is refused.
func TestServeTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("TLS test skipped in -short mode")
	}
	certFile, keyFile, pool := selfSigned(t)
	db := filepath.Join(t.TempDir(), "carrel.db")
	fillCluster(t, db, map[string]string{"24000001": "reading-lamp-42"})
	if code, _, stderr := carrel(t, "quiet-reading-room-lamp-7\n", "staff", "add", "dee", "--role", "desk", "--db", db); code != 0 {
		t.Fatalf("staff add: exit %d: %s", code, stderr)
	}
	n := startNode(t, carrelBinary(t), "--db", db, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(n.url, "https://127.0.0.1:") {
		t.Fatalf("serving on %s, want https://127.0.0.1:PORT", n.url)
	}
	c := httpsBrowser(t, pool)
	const noStore = "no-store"

	checkHeaders(t, "home page", fetch(t, c, "GET", n.url+"/", nil), noStore)
	login := fetch(t, c, "GET", n.url+"/account/login", nil)
	if login.status != http.StatusOK {
		t.Fatalf("sign-in page: %d", login.status)
	}
	checkHeaders(t, "sign-in page", login, noStore)
	failed := fetch(t, c, "POST", n.url+"/account/login", url.Values{"barcode": {"24000001"}, "pin": {"wrong-pin-1"}})
	if failed.status != http.StatusUnauthorized {
		t.Errorf("wrong PIN: %d, want 401", failed.status)
	}
	checkHeaders(t, "failed sign-in", failed, noStore)

	in := fetch(t, c, "POST", n.url+"/account/login", url.Values{"barcode": {"24000001"}, "pin": {"reading-lamp-42"}})
	if in.status != http.StatusSeeOther || in.header.Get("Location") != "/account" {
		t.Fatalf("sign-in over HTTPS: %d to %q, want 303 to /account", in.status, in.header.Get("Location"))
	}
	checkHeaders(t, "sign-in redirect", in, noStore)
	checkHostCookie(t, "patron session", in.header.Get("Set-Cookie"), "carrel_session", "Lax")

	record := fetch(t, c, "GET", n.url+"/account", nil)
	if record.status != http.StatusOK || !strings.Contains(record.body, "Patron 24000001") {
		t.Fatalf("borrowing record over HTTPS: %d\n%s", record.status, record.body)
	}
	checkHeaders(t, "borrowing record", record, noStore)
	password := fetch(t, c, "GET", n.url+"/account/password", nil)
	if password.status != http.StatusOK {
		t.Errorf("change password: %d", password.status)
	}
	checkHeaders(t, "change password", password, noStore)
	checkHeaders(t, "missing page", fetch(t, c, "GET", n.url+"/account/nowhere", nil), noStore)
	tooBig := fetch(t, c, "POST", n.url+"/account/login", url.Values{"barcode": {strings.Repeat("1", 70<<10)}, "pin": {"x"}})
	if tooBig.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized sign-in: %d, want 413", tooBig.status)
	}
	checkHeaders(t, "too large", tooBig, noStore)
	checkHeaders(t, "health", fetch(t, c, "GET", n.url+"/healthz", nil), noStore)

	// Static files: content-hashed, so they may be cached for good; an
	// unknown hash is an error page, not cached.
	for _, re := range []*regexp.Regexp{stylesheet, script} {
		m := re.FindStringSubmatch(password.body)
		if m == nil {
			t.Fatalf("no %s on the change password page", re)
		}
		checkHeaders(t, m[1], fetch(t, c, "GET", n.url+m[1], nil), "public, max-age=31536000, immutable")
	}
	checkHeaders(t, "unknown static file", fetch(t, c, "GET", n.url+"/static/carrel.000000000000.css", nil), noStore)

	// The staff desk.
	staff := httpsBrowser(t, pool)
	checkHeaders(t, "staff sign-in page", fetch(t, staff, "GET", n.url+"/staff/login", nil), noStore)
	desk := fetch(t, staff, "POST", n.url+"/staff/login", url.Values{"username": {"dee"}, "password": {"quiet-reading-room-lamp-7"}})
	if desk.status != http.StatusSeeOther {
		t.Fatalf("staff sign-in over HTTPS: %d\n%s", desk.status, desk.body)
	}
	checkHostCookie(t, "staff session", desk.header.Get("Set-Cookie"), "carrel_staff", "Strict")
	found := fetch(t, staff, "GET", n.url+"/staff/patrons?q=24000001", nil)
	if found.status != http.StatusSeeOther || !strings.HasPrefix(found.header.Get("Location"), "/staff/patrons/") {
		t.Fatalf("patron search for one barcode: %d to %q, want the patron's page", found.status, found.header.Get("Location"))
	}
	checkHeaders(t, "patron search", found, noStore)
	for _, path := range []string{"/staff", found.header.Get("Location"), "/staff/patrons?q=Borrower", "/staff/checkout", "/staff/checkin", "/staff/items", "/staff/holds", "/staff/audit"} {
		a := fetch(t, staff, "GET", n.url+path, nil)
		if a.status != http.StatusOK {
			t.Errorf("%s: %d", path, a.status)
		}
		checkHeaders(t, path, a, noStore)
	}
	checkHeaders(t, "staff missing page", fetch(t, staff, "GET", n.url+"/staff/patrons/999999", nil), noStore)

	// TLS 1.1 and older are refused; plain HTTP gets no page.
	old := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}}}
	if res, err := old.Get(n.url + "/account/login"); err == nil {
		res.Body.Close()
		t.Error("a TLS 1.1 client was served")
	}
	plain := strings.Replace(n.url, "https://", "http://", 1)
	if res, err := http.Get(plain + "/account/login"); err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusOK || strings.Contains(string(b), "Borrowing Record") {
			t.Errorf("plain HTTP on the HTTPS port: %d\n%s", res.StatusCode, b)
		}
	}
}

// TestServeTLSFlags proves --tls-cert and --tls-key go together and that
// a certificate that cannot be loaded stops serve with a clear message.
func TestServeTLSFlags(t *testing.T) {
	certFile, keyFile, _ := selfSigned(t)
	otherCert, _, _ := selfSigned(t)
	db := filepath.Join(t.TempDir(), "carrel.db")
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"cert alone", []string{"--tls-cert", certFile}, 2, "--tls-cert and --tls-key go together"},
		{"key alone", []string{"--tls-key", keyFile}, 2, "--tls-cert and --tls-key go together"},
		{"missing file", []string{"--tls-cert", certFile + ".missing", "--tls-key", keyFile}, 1, "no such file"},
		{"key of another certificate", []string{"--tls-cert", otherCert, "--tls-key", keyFile}, 1, "private key does not match public key"},
		{"key as certificate", []string{"--tls-cert", keyFile, "--tls-key", keyFile}, 1, "TLS certificate"},
	} {
		code, stdout, stderr := carrel(t, "", append([]string{"serve", "--http", "127.0.0.1:0", "--db", db}, tt.args...)...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", tt.name, code, stdout, stderr, tt.code, tt.stderr)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("serve created the database before refusing its TLS flags")
	}
}
