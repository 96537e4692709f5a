package cli_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// serviceAt opens the database at target as the commands left it.
func serviceAt(t *testing.T, target string) *library.Service {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := library.DefaultConfig()
	return library.NewService(&cfg, db, library.NewHasher(0))
}

func TestStaffCommands(t *testing.T) {
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			db := k.Fresh(t)
			if code, _, stderr := carrel(t, "", "migrate", "--db", db); code != 0 {
				t.Fatalf("migrate: exit %d: %s", code, stderr)
			}
			code, stdout, stderr := carrel(t, "granite-harbour-lantern-42\n", "staff", "add", "Ada", "--role", "admin", "--name", "Ada Lau", "--db", db)
			if code != 0 || stdout != "staff account ada added (admin)\n" {
				t.Fatalf("staff add: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			if code, _, stderr := carrel(t, "quiet-reading-room-lamp-7", "staff", "--db", db, "add", "dee", "--role", "desk"); code != 0 {
				t.Fatalf("staff add dee: exit %d: %s", code, stderr)
			}
			for _, tt := range []struct {
				name, stdin string
				args        []string
				code        int
				stderr      string
			}{
				{"short password", "eleven-char\n", []string{"staff", "add", "eve", "--role", "desk"}, 1, "password refused: it is shorter than 12 characters"},
				{"username in password", "eve-at-the-desk-2026\n", []string{"staff", "add", "eve", "--role", "desk"}, 1, "it contains the username"},
				{"no password", "", []string{"staff", "add", "eve", "--role", "desk"}, 1, "no password on standard input"},
				{"no role", "granite-harbour-lantern-43\n", []string{"staff", "add", "eve"}, 2, "--role admin or --role desk"},
				{"password as an argument", "", []string{"staff", "add", "eve", "granite-harbour-lantern-43", "--role", "desk"}, 2, "want one username"},
				{"the same username", "granite-harbour-lantern-43\n", []string{"staff", "add", "dee", "--role", "desk"}, 1, "already exists"},
				{"unknown account", "", []string{"staff", "disable", "nobody"}, 1, "not found"},
				{"unknown subcommand", "", []string{"staff", "promote", "dee"}, 2, "unknown subcommand"},
			} {
				code, _, stderr := carrel(t, tt.stdin, append(tt.args, "--db", db)...)
				if code != tt.code || !strings.Contains(stderr, tt.stderr) {
					t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tt.name, code, stderr, tt.code, tt.stderr)
				}
			}

			svc := serviceAt(t, db)
			ctx := context.Background()
			if in, err := svc.StaffSignIn(ctx, "ada", "granite-harbour-lantern-42", "127.0.0.1"); err != nil || in.Staff.Role != library.RoleAdmin {
				t.Fatalf("sign-in with the password given on stdin: %v", err)
			}
			if code, stdout, stderr := carrel(t, "lantern-festival-2026\n", "staff", "passwd", "dee", "--db", db); code != 0 || !strings.Contains(stdout, "password of dee changed") {
				t.Fatalf("staff passwd: exit %d, %q, %q", code, stdout, stderr)
			}
			if _, err := svc.StaffSignIn(ctx, "dee", "quiet-reading-room-lamp-7", "127.0.0.1"); err != library.ErrStaffSignInFailed {
				t.Errorf("the old password after passwd: %v", err)
			}
			if _, err := svc.StaffSignIn(ctx, "dee", "lantern-festival-2026", "127.0.0.1"); err != nil {
				t.Errorf("the new password: %v", err)
			}
			if code, _, stderr := carrel(t, "", "staff", "disable", "dee", "--db", db); code != 0 {
				t.Fatalf("staff disable: %s", stderr)
			}
			if _, err := svc.StaffSignIn(ctx, "dee", "lantern-festival-2026", "127.0.0.1"); err != library.ErrStaffSignInFailed {
				t.Errorf("sign-in after disable: %v", err)
			}
			code, stdout, _ = carrel(t, "", "staff", "list", "--db", db)
			if code != 0 || !regexp.MustCompile(`ada\s+admin\s+no\s+active\s+Ada Lau`).MatchString(stdout) ||
				!regexp.MustCompile(`dee\s+desk\s+no\s+disabled`).MatchString(stdout) || strings.Contains(stdout, "argon2") {
				t.Errorf("staff list: exit %d\n%s", code, stdout)
			}
		})
	}
}

func TestPatronResetPINCommand(t *testing.T) {
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			db := k.Fresh(t)
			if code, _, stderr := carrel(t, "", "migrate", "--db", db); code != 0 {
				t.Fatalf("migrate: exit %d: %s", code, stderr)
			}
			csv := "barcode,category,name,email,registered_on,expires_on,hkid\n" +
				"20240001,student,Chan Tai Man,,2024-09-01,2030-08-31,\n" +
				"20240002,student,Lee Ka Yan,,,,\n"
			if code, _, stderr := carrel(t, csv, "import", "patrons", "-", "--db", db); code != 0 {
				t.Fatalf("import: %s", stderr)
			}
			code, stdout, stderr := carrel(t, "", "patron", "reset-pin", "2024-0001", "--db", db)
			m := regexp.MustCompile(`Temporary PIN for 20240001 \(Chan Tai Man\): ([0-9A-Z]{10})\n`).FindStringSubmatch(stdout)
			if code != 0 || m == nil {
				t.Fatalf("reset-pin: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			svc := serviceAt(t, db)
			ctx := context.Background()
			if _, err := svc.SignIn(ctx, "20240001", "20240001", "127.0.0.1"); err != library.ErrSignInFailed {
				t.Errorf("the preset after the reset: %v", err)
			}
			in, err := svc.SignIn(ctx, "20240001", m[1], "127.0.0.1")
			if err != nil || !in.Patron.PIN.MustChange() {
				t.Errorf("the printed temporary PIN: %v", err)
			}
			for _, tt := range []struct {
				barcode string
				want    string
			}{
				{"29999999", "no patron has that barcode"},
				{"20240002", "card holder"},
			} {
				if code, _, stderr := carrel(t, "", "patron", "reset-pin", tt.barcode, "--db", db); code != 1 || !strings.Contains(stderr, tt.want) {
					t.Errorf("reset-pin %s: exit %d, %q; want %q", tt.barcode, code, stderr, tt.want)
				}
			}
			page, err := svc.SearchAudit(ctx, library.CommandLine, library.AuditFilter{Action: "pin.reset", Actor: "cli"})
			if err != nil || len(page.Entries) != 1 || strings.Contains(page.Entries[0].Detail, m[1]) {
				t.Errorf("audit of the reset: %+v, %v", page.Entries, err)
			}
		})
	}
}
