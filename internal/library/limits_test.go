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

	h := NewHasher(1)
	NewService(&c, nil, h)
	if got := h.queueLimit.Load(); got != 16 {
		t.Errorf("hasher queue limit %d after NewService, want the configured 16", got)
	}
}
