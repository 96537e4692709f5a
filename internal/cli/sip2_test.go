package cli_test

import (
	"bufio"
	"context"
	"net"
	"path/filepath"
	"regexp"
	"slices"
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
	if code != 0 || stdout != "SIP2 account kiosk1 added for institution HKCT: PIN required for Patron Information, encoding utf-8\n" {
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
	if a.Institution != "HKCT" || a.Location != "MAIN-1F" || !a.LoginRequired || !a.RequirePIN || a.Encoding != "utf-8" ||
		!strings.HasPrefix(a.PasswordHash, "$argon2id$") || strings.Contains(a.PasswordHash, "kiosk-secret-1") {
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
		{"unknown subcommand", "pw\n", []string{"remove", "kiosk1"}, 2, "unknown subcommand"},
		{"unknown encoding", "pw\n", []string{"add-account", "kiosk2", "--institution", "HKCT", "--encoding", "ebcdic"}, 1, "want utf-8, cp850 or latin1"},
		{"both PIN flags", "pw\n", []string{"add-account", "kiosk2", "--institution", "HKCT", "--require-pin", "--no-require-pin"}, 2, "not both"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := carrel(t, tt.stdin, append(append([]string{"sip2"}, tt.args...), "--db", db)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
	if _, err := svc.SIPLogin(ctx, "kiosk2", "pw"); err == nil {
		t.Error("a refused add-account added kiosk2")
	}
}

// TestSIP2AccountPolicy proves the SIP2 account options on the command
// line: add-account requires the PIN unless --no-require-pin, and takes
// an --encoding; list shows every account's policy and never a password
// hash; set changes the policy of an existing account, in the audit log,
// and refuses what it cannot do.
func TestSIP2AccountPolicy(t *testing.T) {
	db := filepath.Join(t.TempDir(), "carrel.db")
	if code, _, stderr := carrel(t, "", "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	add := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := carrel(t, "secret-pw\n", append([]string{"sip2", "add-account", "--db", db}, args...)...)
		if code != 0 {
			t.Fatalf("add-account %v: exit %d: %s", args, code, stderr)
		}
		return stdout
	}
	if out := add("kiosk1", "--institution", "HKCT", "--location", "MAIN-1F"); !strings.Contains(out, "PIN required") {
		t.Errorf("add-account with no PIN flag: %q, want the PIN required", out)
	}
	if out := add("gate1", "--institution", "HKCT", "--no-require-pin", "--encoding", "CP850"); !strings.Contains(out, "Patron Information without a PIN, encoding cp850") {
		t.Errorf("add-account --no-require-pin --encoding CP850: %q", out)
	}
	if out := add("proxy1", "--institution", "HKCT", "--require-pin", "--encoding", "latin1", "--no-login-required"); !strings.Contains(out, "PIN required for Patron Information, encoding latin1") {
		t.Errorf("add-account --require-pin --encoding latin1: %q", out)
	}

	list := func() string {
		t.Helper()
		code, stdout, stderr := carrel(t, "", "sip2", "list", "--db", db)
		if code != 0 {
			t.Fatalf("list: exit %d: %s", code, stderr)
		}
		return stdout
	}
	want := "LOGIN   INSTITUTION  LOCATION  LOGIN REQUIRED  REQUIRE PIN  ENCODING\n" +
		"gate1   HKCT         -         yes             no           cp850\n" +
		"kiosk1  HKCT         MAIN-1F   yes             yes          utf-8\n" +
		"proxy1  HKCT         -         no              yes          latin1\n"
	if got := list(); got != want {
		t.Errorf("list:\n%s\nwant:\n%s", got, want)
	}
	if got := list(); strings.Contains(got, "argon2") || strings.Contains(got, "secret") {
		t.Errorf("list shows a password: %s", got)
	}

	code, stdout, stderr := carrel(t, "", "sip2", "set", "kiosk1", "--no-require-pin", "--encoding", "cp850", "--db", db)
	if code != 0 || !strings.Contains(stdout, "SIP2 account kiosk1: Patron Information without a PIN, encoding cp850") {
		t.Fatalf("set: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = carrel(t, "", "sip2", "--db", db, "set", "gate1", "--require-pin")
	if code != 0 {
		t.Fatalf("set --require-pin: exit %d: %s", code, stderr)
	}
	if got := list(); !strings.Contains(got, "gate1   HKCT         -         yes             yes          cp850") ||
		!strings.Contains(got, "kiosk1  HKCT         MAIN-1F   yes             no           cp850") {
		t.Errorf("list after set:\n%s", got)
	}

	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"nothing to change", []string{"set", "kiosk1"}, 2, "nothing to change"},
		{"unknown account", []string{"set", "nobody", "--require-pin"}, 1, "no SIP2 account \"nobody\""},
		{"unknown encoding", []string{"set", "kiosk1", "--encoding", "utf-16"}, 1, "want utf-8, cp850 or latin1"},
		{"both PIN flags", []string{"set", "kiosk1", "--require-pin", "--no-require-pin"}, 2, "not both"},
		{"add-account's flag", []string{"set", "kiosk1", "--institution", "X"}, 2, "sip2 set does not take --institution"},
		{"list takes no login", []string{"list", "kiosk1"}, 2, "no arguments"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := carrel(t, "", append(append([]string{"sip2"}, tt.args...), "--db", db)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}

	// Each change is in the audit log, with what it was and what it is.
	ctx := context.Background()
	sdb, err := storage.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var es []library.AuditEntry
	err = sdb.View(ctx, func(tx library.Tx) error {
		es, err = tx.SearchAudit(library.AuditFilter{Action: "sip2.account.change", Limit: library.MaxPageSize})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range es {
		details = append(details, e.Detail)
	}
	slices.Sort(details)
	wantDetails := []string{
		"login gate1: require PIN no, encoding cp850 -> require PIN yes, encoding cp850",
		"login kiosk1: require PIN yes, encoding utf-8 -> require PIN no, encoding cp850",
	}
	if !slices.Equal(details, wantDetails) {
		t.Errorf("audit of the changes: %q, want %q", details, wantDetails)
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
		// Renewed at once, the loan would gain nothing: refused with the reason.
		{"29NN" + date + date + "AOHKCT|AA20240001|ABB0001|", "nothing to gain by renewing now.|"},
		{"09N" + date + date + "AOHKCT|ABB0001|", "101YUN"},
	}
	for _, s := range steps {
		if got := do(s.req); !strings.Contains(got, s.want) {
			t.Errorf("%.2s: %q, want it to contain %q", s.req, got, s.want)
		}
	}
}
