package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/metrics"
	"github.com/carrel-library/carrel/internal/web"
)

// TestMetrics proves sign-in failures and requests are counted by route,
// and that /metrics needs no session, sets no cookie and is not stored.
func TestMetrics(t *testing.T) {
	l := newLibraryWith(t, nil, web.Options{Metrics: metrics.New()})
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")

	c := l.client()
	for range 2 {
		if res := c.signIn(p.Barcode, "wrong-pin-1"); res.status != http.StatusUnauthorized {
			t.Fatalf("wrong PIN: status %d, want 401", res.status)
		}
	}
	c.mustSignIn(p.Barcode, "reading-room-7", "/account")
	if res := c.get("/patron/24062953/loans"); res.status != http.StatusNotFound {
		t.Fatalf("unknown path: status %d, want 404", res.status)
	}

	res := l.client().get("/metrics")
	if res.status != http.StatusOK {
		t.Fatalf("GET /metrics: status %d, want 200\n%s", res.status, res.body)
	}
	if got := res.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	if got := res.header.Values("Set-Cookie"); len(got) > 0 {
		t.Errorf("GET /metrics sets cookies %q", got)
	}
	if got := res.header.Get("Content-Type"); !strings.HasPrefix(got, "text/plain") {
		t.Errorf("Content-Type %q, want the Prometheus text format", got)
	}
	lines := strings.Split(res.body, "\n")
	for _, want := range []string{
		`carrel_signin_failures_total{channel="web"} 2`,
		`carrel_http_requests_total{code="401",route="POST /account/login"} 2`,
		`carrel_http_requests_total{code="303",route="POST /account/login"} 1`,
		`carrel_http_requests_total{code="404",route="unmatched"} 1`,
		`carrel_http_request_duration_seconds_count{route="POST /account/login"} 3`,
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("/metrics lacks the line %s", want)
		}
	}
	for _, bad := range []string{p.Barcode, "/patron/", "reading-room-7", "wrong-pin-1"} {
		if strings.Contains(res.body, bad) {
			t.Errorf("/metrics holds %q", bad)
		}
	}
}

// TestNoMetrics proves a server without metrics has no /metrics.
func TestNoMetrics(t *testing.T) {
	l := newLibrary(t, nil)
	if res := l.client().get("/metrics"); res.status != http.StatusNotFound {
		t.Errorf("GET /metrics without metrics: status %d, want 404", res.status)
	}
}

// TestMetricsLockout proves a sign-in refused while paused is counted as a
// lockout, not as a failure.
func TestMetricsLockout(t *testing.T) {
	l := newLibraryWith(t, func(c *library.Config) { c.Throttle.MaxFailures = 1 }, web.Options{Metrics: metrics.New()})
	c := l.client()
	if res := c.signIn("88888888", "wrong-pin-1"); res.status != http.StatusUnauthorized {
		t.Fatalf("first failure: status %d, want 401", res.status)
	}
	if res := c.signIn("88888888", "wrong-pin-2"); res.status != http.StatusTooManyRequests {
		t.Fatalf("second attempt: status %d, want 429", res.status)
	}
	lines := strings.Split(c.get("/metrics").body, "\n")
	for _, want := range []string{
		`carrel_signin_failures_total{channel="web"} 1`,
		`carrel_signin_lockouts_total{channel="web"} 1`,
		`carrel_http_requests_total{code="429",route="POST /account/login"} 1`,
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("/metrics lacks the line %s", want)
		}
	}
}
