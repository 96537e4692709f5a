package web

import (
	"net/http/httptest"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

func TestClientAddr(t *testing.T) {
	cfg := library.DefaultConfig()
	cfg.TrustedProxies = []string{"10.0.0.0/8", "192.168.1.5/32"}
	if err := cfg.Prepare(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"direct client", "203.0.113.7:5555", nil, "203.0.113.7"},
		{"direct client lying in the header", "203.0.113.7:5555", []string{"198.51.100.1"}, "203.0.113.7"},
		{"through the load balancer", "10.0.0.2:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"client prepends a fake hop", "10.0.0.2:4000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted proxies", "10.0.0.2:4000", []string{"198.51.100.1, 192.168.1.5"}, "198.51.100.1"},
		{"header split over lines", "10.0.0.2:4000", []string{"1.2.3.4", "198.51.100.9"}, "198.51.100.9"},
		{"garbage hop", "10.0.0.2:4000", []string{"198.51.100.1, not-an-address"}, "10.0.0.2"},
		{"no header from the proxy", "10.0.0.2:4000", nil, "10.0.0.2"},
		{"IPv6 client", "[10::1]:4000", []string{"2001:db8::1"}, "10::1"},
		{"IPv4-mapped proxy", "[::ffff:10.0.0.2]:4000", []string{"2001:db8::1"}, "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/account/login", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientAddr(&cfg, r); got != tt.want {
				t.Errorf("clientAddr = %q, want %q", got, tt.want)
			}
		})
	}
	bad := library.DefaultConfig()
	bad.TrustedProxies = []string{"10.0.0.0/33"}
	if err := bad.Prepare(); err == nil {
		t.Error("a bad prefix in trusted_proxies was accepted")
	}
}
