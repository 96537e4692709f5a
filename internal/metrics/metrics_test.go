package metrics_test

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	_ "modernc.org/sqlite"

	"github.com/carrel-library/carrel/internal/metrics"
)

// newServer serves a small mux, wrapped by m's middleware, with m's
// handler at GET /metrics, the way the web server does.
func newServer(t *testing.T, m *metrics.Metrics) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /account", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "record")
	})
	mux.HandleFunc("POST /account/login", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.HandleFunc("GET /items/{barcode}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Flusher); !ok {
			t.Error("the middleware's writer is not an http.Flusher")
		}
		_, _ = io.WriteString(w, "part")
		rc := http.NewResponseController(w)
		if err := rc.Flush(); err != nil {
			t.Errorf("flush through the middleware: %v", err)
		}
		// Deadlines are reached only through Unwrap.
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("write deadline through the middleware: %v", err)
		}
	})
	mux.Handle("GET /metrics", m.Handler())
	srv := httptest.NewServer(m.Middleware(mux))
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, method, url string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode
}

// scrape fetches and parses the Prometheus text at url.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, res.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return families
}

// labels renders a metric's labels as `a="x",b="y"`, sorted by name.
func labels(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// counters maps the labels of each series of a counter family to its value.
func counters(families map[string]*dto.MetricFamily, name string) map[string]float64 {
	got := map[string]float64{}
	for _, m := range families[name].GetMetric() {
		got[labels(m)] = m.GetCounter().GetValue()
	}
	return got
}

func TestMiddlewareCountsByRoute(t *testing.T) {
	m := metrics.New()
	srv := newServer(t, m)

	requests := []struct {
		method, path string
		times, want  int
	}{
		{"GET", "/account", 3, http.StatusOK},
		{"POST", "/account/login", 2, http.StatusUnauthorized},
		{"GET", "/items/24062953", 1, http.StatusNoContent},
		{"GET", "/stream", 1, http.StatusOK},
		{"GET", "/patrons/24031588/secret", 2, http.StatusNotFound},
		{"POST", "/account", 1, http.StatusMethodNotAllowed},
	}
	for _, r := range requests {
		for range r.times {
			if got := send(t, r.method, srv.URL+r.path); got != r.want {
				t.Fatalf("%s %s: status %d, want %d", r.method, r.path, got, r.want)
			}
		}
	}

	families := scrape(t, srv.URL+"/metrics")
	want := map[string]float64{
		`code="200",route="GET /account"`:         3,
		`code="401",route="POST /account/login"`:  2,
		`code="204",route="GET /items/{barcode}"`: 1,
		`code="200",route="GET /stream"`:          1,
		`code="404",route="unmatched"`:            2,
		`code="405",route="unmatched"`:            1,
	}
	got := counters(families, "carrel_http_requests_total")
	for k, v := range want {
		if got[k] != v {
			t.Errorf("carrel_http_requests_total{%s} = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("carrel_http_requests_total has series %v, want only %v", got, want)
	}

	durations := map[string]uint64{}
	for _, s := range families["carrel_http_request_duration_seconds"].GetMetric() {
		durations[labels(s)] = s.GetHistogram().GetSampleCount()
	}
	if got := durations[`route="GET /account"`]; got != 3 {
		t.Errorf(`carrel_http_request_duration_seconds{route="GET /account"} count = %d, want 3`, got)
	}
	if got := durations[`route="unmatched"`]; got != 3 {
		t.Errorf(`carrel_http_request_duration_seconds{route="unmatched"} count = %d, want 3`, got)
	}

	// No label anywhere may carry what was in a URL.
	for name, f := range families {
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				for _, bad := range []string{"24062953", "24031588", "/patrons", "secret"} {
					if strings.Contains(l.GetValue(), bad) {
						t.Errorf("%s{%s} holds %q from a URL", name, labels(s), bad)
					}
				}
			}
		}
	}
}

func TestCounters(t *testing.T) {
	m := metrics.New()
	m.SignInFailed(metrics.ChannelWeb)
	m.SignInFailed(metrics.ChannelWeb)
	m.SignInFailed(metrics.ChannelSIP2)
	m.Locked(metrics.ChannelSIP2)
	m.ObserveSIP2("63", 20*time.Millisecond)
	m.ObserveSIP2("63", 30*time.Millisecond)
	m.ObserveSIP2("93", time.Millisecond)
	m.ObserveSIP2("24062953", time.Millisecond) // junk is "other", never a label of its own

	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(3)
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	m.WatchDB("write", db)

	families := scrape(t, newServer(t, m).URL+"/metrics")
	tests := []struct {
		family string
		want   map[string]float64
	}{
		{"carrel_signin_failures_total", map[string]float64{`channel="web"`: 2, `channel="sip2"`: 1}},
		{"carrel_signin_lockouts_total", map[string]float64{`channel="sip2"`: 1}},
		{"carrel_sip2_transactions_total", map[string]float64{`message="63"`: 2, `message="93"`: 1, `message="other"`: 1}},
	}
	for _, tt := range tests {
		got := counters(families, tt.family)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s = %v, want %v", tt.family, got, tt.want)
		}
	}

	var sip2Seconds float64
	for _, s := range families["carrel_sip2_transaction_duration_seconds"].GetMetric() {
		if labels(s) == `message="63"` {
			sip2Seconds = s.GetHistogram().GetSampleSum()
		}
	}
	if sip2Seconds < 0.049 || sip2Seconds > 0.051 {
		t.Errorf(`carrel_sip2_transaction_duration_seconds{message="63"} sum = %v, want 0.05`, sip2Seconds)
	}

	gauges := map[string]float64{}
	for _, name := range []string{"go_sql_max_open_connections", "go_sql_open_connections"} {
		for _, s := range families[name].GetMetric() {
			gauges[name+"{"+labels(s)+"}"] = s.GetGauge().GetValue()
		}
	}
	if got := gauges[`go_sql_max_open_connections{db_name="write"}`]; got != 3 {
		t.Errorf(`go_sql_max_open_connections{db_name="write"} = %v, want 3`, got)
	}
	if got := gauges[`go_sql_open_connections{db_name="write"}`]; got != 1 {
		t.Errorf(`go_sql_open_connections{db_name="write"} = %v, want 1`, got)
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if families[name] == nil {
			t.Errorf("no %s: the runtime and process collectors are missing", name)
		}
	}
}

// TestNilMetrics proves a nil *Metrics does nothing, everywhere, without
// panicking.
func TestNilMetrics(t *testing.T) {
	var m *metrics.Metrics
	m.SignInFailed(metrics.ChannelWeb)
	m.Locked(metrics.ChannelSIP2)
	m.ObserveSIP2("63", time.Second)
	m.WatchDB("write", &sql.DB{})

	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	rec := httptest.NewRecorder()
	m.Middleware(next).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusTeapot {
		t.Errorf("through a nil middleware: status %d, want %d", rec.Code, http.StatusTeapot)
	}
	rec = httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil handler: status %d, want 404", rec.Code)
	}
}
