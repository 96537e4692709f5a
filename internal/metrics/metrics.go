// Package metrics counts what Carrel does, for Prometheus to scrape at
// GET /metrics: HTTP requests by route, SIP2 transactions by message,
// sign-in failures and lockouts by channel, database pool use, and the Go
// runtime and process. Labels never hold a URL path, a barcode or anything
// else a patron typed: they would leak personal data and explode cardinality.
//
// A nil *Metrics is valid and does nothing, so code without metrics needs
// no checks.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds Carrel's collectors on a registry of its own (never the
// global default, so tests and several servers in one process do not clash).
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec

	sip2Transactions *prometheus.CounterVec
	sip2Duration     *prometheus.HistogramVec

	signInFailures *prometheus.CounterVec
	signInLockouts *prometheus.CounterVec
}

// New builds the metrics on a fresh registry, with the Go runtime and
// process collectors already registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "carrel_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "carrel_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		sip2Transactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "carrel_sip2_transactions_total",
			Help: "SIP2 requests answered, by two-character message code.",
		}, []string{"message"}),
		sip2Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "carrel_sip2_transaction_duration_seconds",
			Help:    "Time to answer a SIP2 request, by two-character message code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"message"}),
		signInFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "carrel_signin_failures_total",
			Help: "Patron sign-ins refused for a wrong barcode or PIN, by channel (web, sip2).",
		}, []string{"channel"}),
		signInLockouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "carrel_signin_lockouts_total",
			Help: "Patron sign-ins refused because sign-in is paused for the barcode or address, by channel (web, sip2).",
		}, []string{"channel"}),
	}
	m.reg.MustRegister(
		m.httpRequests, m.httpDuration,
		m.sip2Transactions, m.sip2Duration,
		m.signInFailures, m.signInLockouts,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Handler serves the metrics in the Prometheus exposition format. A nil
// *Metrics gives 404.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
