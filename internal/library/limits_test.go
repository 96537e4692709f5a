package library

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLimitsConfig proves the limits have their defaults, are read from
// the configuration file, are refused when out of range, and that the
// service bounds its hasher's queue by sign_in_queue.
func TestLimitsConfig(t *testing.T) {
	def := DefaultConfig()
	if def.Limits.SignInQueue != 128 || def.Limits.SIP2MaxConnections != 256 {
		t.Errorf("default limits %+v, want sign_in_queue 128 and sip2_max_connections 256", def.Limits)
	}
	load := func(json string) (Config, error) {
		path := filepath.Join(t.TempDir(), "carrel.json")
		if err := os.WriteFile(path, []byte(json), 0o600); err != nil {
			t.Fatal(err)
		}
		return LoadConfig(path)
	}
	c, err := load(`{"limits": {"sign_in_queue": 16}}`)
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits.SignInQueue != 16 || c.Limits.SIP2MaxConnections != 256 {
		t.Errorf("limits %+v, want the file's sign_in_queue and the default sip2_max_connections", c.Limits)
	}
	for _, bad := range []struct{ json, msg string }{
		{`{"limits": {"sign_in_queue": 0}}`, "sign_in_queue must be between 1 and 100000"},
		{`{"limits": {"sign_in_queue": -5}}`, "sign_in_queue must be between 1 and 100000"},
		{`{"limits": {"sip2_max_connections": 0}}`, "sip2_max_connections must be between 1 and 100000"},
		{`{"limits": {"sip2_max_connections": 1000000}}`, "sip2_max_connections must be between 1 and 100000"},
	} {
		if _, err := load(bad.json); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("%s: %v, want %q", bad.json, err, bad.msg)
		}
	}

	// The share of SIP2 connections before login: a quarter of the
	// connection limit unless set, never more than the limit.
	if n := def.Limits.SIP2BeforeLogin(def.Limits.SIP2MaxConnections); n != 64 {
		t.Errorf("default SIP2 connections before login %d, want 64 (a quarter of 256)", n)
	}
	c2, err := load(`{"limits": {"sip2_max_connections": 40, "sip2_max_before_login": 30}}`)
	if err != nil {
		t.Fatal(err)
	}
	if n := c2.Limits.SIP2BeforeLogin(40); n != 30 {
		t.Errorf("SIP2 connections before login %d, want the file's 30", n)
	}
	if n := c2.Limits.SIP2BeforeLogin(10); n != 10 {
		t.Errorf("SIP2 connections before login %d with 10 connections, want 10", n)
	}
	if n := (Limits{}).SIP2BeforeLogin(3); n != 1 {
		t.Errorf("SIP2 connections before login of 3 connections: %d, want 1", n)
	}
	for _, bad := range []string{
		`{"limits": {"sip2_max_before_login": -1}}`,
		`{"limits": {"sip2_max_before_login": 257}}`,
		`{"limits": {"sip2_max_connections": 10, "sip2_max_before_login": 11}}`,
	} {
		if _, err := load(bad); err == nil || !strings.Contains(err.Error(), "sip2_max_before_login must be between 1 and sip2_max_connections") {
			t.Errorf("%s: %v", bad, err)
		}
	}

	h := NewHasher(1)
	NewService(&c, nil, h)
	if got := h.queueLimit.Load(); got != 16 {
		t.Errorf("hasher queue limit %d after NewService, want the configured 16", got)
	}
}
