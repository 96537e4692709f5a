package cli_test

import (
	"bufio"
	"context"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
)

func TestSIP2AddAccount(t *testing.T) {
	db := filepath.Join(t.TempDir(), "carrel.db")
	if code, _, stderr := carrel(t, "", "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := carrel(t, "kiosk-secret-1\n", "sip2", "add-account", "kiosk1", "--institution", "HKCT", "--location", "MAIN-1F", "--db", db)
	if code != 0 || stdout != "SIP2 account kiosk1 added for institution HKCT\n" {
		t.Fatalf("add-account: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = carrel(t, "old-kiosk-pw", "sip2", "--db", db, "add-account", "oldkiosk", "--institution", "HKCT", "--no-login-required")
	if code != 0 || !strings.Contains(stdout, "no login required") {
		t.Fatalf("add-account --no-login-required: exit %d, stdout %q", code, stdout)
	}

	// The password is stored hashed, and logs in.
	ctx := context.Background()
	sdb, err := storage.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	cfg := library.DefaultConfig()
	svc := library.NewService(&cfg, sdb, library.NewHasher(0))
	a, err := svc.SIPLogin(ctx, "kiosk1", "kiosk-secret-1")
	if err != nil {
		t.Fatalf("SIPLogin: %v", err)
	}
	if a.Institution != "HKCT" || a.Location != "MAIN-1F" || !a.LoginRequired || !strings.HasPrefix(a.PasswordHash, "$argon2id$") || strings.Contains(a.PasswordHash, "kiosk-secret-1") {
		t.Errorf("stored account %+v", a)
	}
	if _, err := svc.SIPLogin(ctx, "kiosk1", "kiosk-secret-1\n"); err == nil {
		t.Error("the line break was taken as part of the password")
	}
	if a, err := svc.SIPAccountWithoutLogin(ctx, "HKCT"); err != nil || a.Login != "oldkiosk" {
		t.Errorf("account without login: %+v, %v", a, err)
	}

	for _, tt := range []struct {
		name, stdin string
		args        []string
		code        int
		stderr      string
	}{
		{"exists", "pw\n", []string{"add-account", "kiosk1", "--institution", "HKCT"}, 1, "already exists"},
		{"no institution", "pw\n", []string{"add-account", "kiosk2"}, 2, "--institution is required"},
		{"no password", "", []string{"add-account", "kiosk2", "--institution", "HKCT"}, 1, "no password"},
		{"no login", "pw\n", []string{"add-account", "--institution", "HKCT"}, 2, "one SIP2 login"},
		{"no subcommand", "pw\n", nil, 2, "add-account"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := carrel(t, tt.stdin, append(append([]string{"sip2"}, tt.args...), "--db", db)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

// sip2Line is what serve prints of its SIP2 address.
var sip2Line = regexp.MustCompile(`^SIP2: (\S+)$`)

// TestServeSIP2 boots the real binary with --sip2 and walks a kiosk
// through a loan: log in, look the patron up, lend, renew, return; then
// SIGTERM stops it cleanly (startNode's clean-up checks the exit).
func TestServeSIP2(t *testing.T) {
	bin := carrelBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "carrel.db")
	if code, _, stderr := carrel(t, "", "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	if code, _, stderr := carrel(t, "kiosk-secret-1\n", "sip2", "add-account", "kiosk1", "--institution", "HKCT", "--db", db); code != 0 {
		t.Fatalf("add-account: %s", stderr)
	}
	patrons := writeFile(t, dir, "p.csv", "barcode,category,name,email,registered_on,expires_on,hkid\n20240001,student,Chan Tai Man,,2024-09-01,2099-08-31,\n")
	items := writeFile(t, dir, "i.csv", "barcode,title,author,call_number,location\nB0001,Call to Arms,Lu Xun,PL2754 .S5,Main Library\n")
	for _, f := range []string{patrons, items} {
		kind := map[string]string{patrons: "patrons", items: "items"}[f]
		if code, _, stderr := carrel(t, "", "import", kind, f, "--db", db); code != 0 {
			t.Fatalf("import: %s", stderr)
		}
	}

	addr := startNode(t, bin, "--db", db).sip2

	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	r := bufio.NewReader(nc)
	do := func(req string) string {
		t.Helper()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := nc.Write([]byte(req + "\r")); err != nil {
			t.Fatal(err)
		}
		s, err := r.ReadString('\r')
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	date := "20260101    120000"
	steps := []struct{ req, want string }{
		{"9300CNkiosk1|COkiosk-secret-1|", "941"},
		{"63001" + date + "          AOHKCT|AA20240001|", "BLY|"},
		{"11NN" + date + date + "AOHKCT|AA20240001|ABB0001|", "121NUY"},
		{"29NN" + date + date + "AOHKCT|AA20240001|ABB0001|", "301YUN"},
		{"09N" + date + date + "AOHKCT|ABB0001|", "101YUN"},
	}
	for _, s := range steps {
		if got := do(s.req); !strings.Contains(got, s.want) {
			t.Errorf("%.2s: %q, want it to contain %q", s.req, got, s.want)
		}
	}
}
