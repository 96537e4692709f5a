package cli_test

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/demo"
)

// TestServeDemoPortTaken starts the demo on an address another program
// holds: the start fails saying which flag gives another address, and the
// demo library is not filled, so that the next start, on a free port,
// fills it and prints the sign-in details afresh.
func TestServeDemoPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := filepath.Join(t.TempDir(), "carrel.db")
	code, stdout, stderr := carrel(t, "", "serve", "--demo", "--db", db, "--http", ln.Addr().String())
	if code == 0 {
		t.Fatalf("serve on a taken address: exit 0, stdout %q", stdout)
	}
	for _, want := range []string{"address already in use", "give another address with --http, e.g. --http 127.0.0.1:8081"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	code, stdout, stderr = carrel(t, "", "export", "patrons", "-", "--db", db)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, demo.CaseOf(demo.Renew).Barcode) {
		t.Error("the failed start filled the demo library")
	}
}
