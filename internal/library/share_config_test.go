package library

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSignInShareConfig proves limits.sign_in_share: by default (0) one
// client may hold a quarter of the hashing line (32 places of 2 slots and
// the default queue of 128), a file sets it, a value out of range is
// refused, and the service gives it to its hasher.
func TestSignInShareConfig(t *testing.T) {
	load := func(json string) (Config, error) {
		path := filepath.Join(t.TempDir(), "carrel.json")
		if err := os.WriteFile(path, []byte(json), 0o600); err != nil {
			t.Fatal(err)
		}
		return LoadConfig(path)
	}
	def := DefaultConfig()
	if def.Limits.SignInShare != 0 {
		t.Errorf("default sign_in_share %d, want 0 (a quarter of the line)", def.Limits.SignInShare)
	}
	h := NewHasher(2)
	NewService(&def, nil, h)
	if got := h.ownerShare(); got != 32 {
		t.Errorf("default share on 2 slots and a queue of 128: %d places, want 32", got)
	}
	small := NewHasher(1)
	small.SetQueueLimit(1)
	if got := small.ownerShare(); got != 2 {
		t.Errorf("share on 1 slot and a queue of 1: %d places, want at least 2", got)
	}

	c, err := load(`{"limits": {"sign_in_share": 5}}`)
	if err != nil {
		t.Fatal(err)
	}
	h = NewHasher(2)
	NewService(&c, nil, h)
	if got := h.ownerShare(); got != 5 {
		t.Errorf("share %d after NewService, want the configured 5", got)
	}
	for _, bad := range []string{`{"limits": {"sign_in_share": -1}}`, `{"limits": {"sign_in_share": 1000000}}`} {
		if _, err := load(bad); err == nil || !strings.Contains(err.Error(), "sign_in_share must be between 0") {
			t.Errorf("%s: %v, want a refusal", bad, err)
		}
	}
}
