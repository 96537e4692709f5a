package cli_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/pgtest"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

var (
	enrolSecret = regexp.MustCompile(`id="secret">([^<]+)<`)
	enrolSetup  = regexp.MustCompile(`name="setup" value="([^"]*)"`)
)

// totpAt is the two-factor code of secret for the 30-second step.
func totpAt(t *testing.T, secret string, step int64) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0),
		totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// stepNow is the current 30-second step of two-factor codes.
func stepNow() int64 { return time.Now().Unix() / 30 }

// enrolTOTP sets up two-factor codes for the signed-in staff member at
// the desk's set-up page, with a code of the current step, and returns
// the secret and that step.
func (d *webClient) enrolTOTP(t *testing.T) (string, int64) {
	t.Helper()
	page, csrf := d.page(t, "/staff/two-factor")
	s, setup := enrolSecret.FindStringSubmatch(page), enrolSetup.FindStringSubmatch(page)
	if s == nil || setup == nil {
		t.Fatalf("the set-up page shows no secret or set-up:\n%.500s", page)
	}
	secret := strings.ReplaceAll(html.UnescapeString(s[1]), " ", "")
	step := stepNow()
	code, body, err := d.do("POST", "/staff/two-factor", url.Values{"csrf": {csrf}, "setup": {html.UnescapeString(setup[1])},
		"code": {totpAt(t, secret, step)}, "next": {""}})
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusSeeOther {
		t.Fatalf("two-factor set-up: %d\n%.500s", code, body)
	}
	return secret, step
}

// signInWithCode signs in with the password and then the code of a step
// after the one last used (and no earlier than now): each code is
// accepted once, and the server takes the steps next to its own.
func (d *webClient) signInWithCode(t *testing.T, username, password, secret string, after int64) {
	t.Helper()
	if err := d.signIn(username, password); err != nil {
		t.Fatal(err)
	}
	if d.location != "/staff/login/code" {
		t.Fatalf("sign-in of %s with codes set up: to %q, want the code page", username, d.location)
	}
	_, csrf := d.page(t, "/staff/login/code")
	code, body, err := d.do("POST", "/staff/login/code", url.Values{"csrf": {csrf}, "next": {""},
		"code": {totpAt(t, secret, max(after+1, stepNow()))}})
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusSeeOther || d.location != "/staff" {
		t.Fatalf("two-factor code of %s: %d to %q\n%.500s", username, code, d.location, body)
	}
}

// refusedStart runs a carrel serve that must refuse to start, and returns
// its exit status and standard error. A serve that starts after all is
// stopped by the timeout, a guard against hanging, and fails the test.
func refusedStart(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--http", "127.0.0.1:0"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("carrel serve %s started, want it refused:\n%s", strings.Join(args, " "), stdout.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("carrel serve %s: %v, want a refusal", strings.Join(args, " "), err)
	}
	return exit.ExitCode(), stderr.String()
}

// postgresRows returns every row of every table of the PostgreSQL schema
// at target, as PostgreSQL writes a row as text, for the search.
func postgresRows(t *testing.T, target string) []byte {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	for _, table := range tables {
		rows, err := conn.Query(ctx, `SELECT t::text FROM `+pgx.Identifier{table}.Sanitize()+` t`)
		if err != nil {
			t.Fatal(err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range texts {
			all.WriteString(table + ": " + row + "\n")
		}
	}
	return all.Bytes()
}

// TestTwoFactorSealedEndToEnd runs a real `carrel serve` on each kind of
// database: a staff member sets up two-factor codes at the desk, then
// signs in with a code. The database (the SQLite file, its WAL and
// shared-memory files while serving and after; PostgreSQL's rows) and
// everything serve wrote hold the secret in none of its forms (base32 as
// shown, its bytes, in hex, base64, UTF-16, hashed). A backup (SQLite)
// and a copy made by `carrel db copy` sign in with codes when served with
// the original's key file, and refuse to start without it. Serve refuses
// a key file that is another key, others can read, or is no key, with a
// message that says so, and PostgreSQL without --secret-key-file.
func TestTwoFactorSealedEndToEnd(t *testing.T) {
	bin := carrelBinary(t)
	const password = "Granary-Wharf-Lamp-2291"
	for _, kind := range storagetest.Targets() {
		t.Run(kind.Name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "carrel.db")
			keyFile := filepath.Join(dir, "carrel.key") // SQLite's default, beside carrel.db
			var keyArgs []string
			if kind.Name == "postgres" {
				db = pgtest.URL(t)
				keyArgs = []string{"--secret-key-file", keyFile}
				if code, _, stderr := runCarrel(t, bin, "", "migrate", "--db", db); code != 0 {
					t.Fatalf("migrate without a key file: exit %d: %s", code, stderr)
				}
				if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("migrate on PostgreSQL without --secret-key-file made a key file: %v", err)
				}
				code, stderr := refusedStart(t, bin, "--db", db)
				if code != 2 || !strings.Contains(stderr, "--secret-key-file is required with PostgreSQL") {
					t.Errorf("serve on PostgreSQL without a key file: exit %d: %s", code, stderr)
				}
			}
			code, _, stderr := runCarrel(t, bin, "", append([]string{"migrate", "--db", db}, keyArgs...)...)
			if code != 0 || !strings.Contains(stderr, "made a new secret key, "+keyFile) {
				t.Fatalf("migrate: exit %d: %s", code, stderr)
			}
			if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
				t.Fatalf("the key file made: %v, %v", fi, err)
			}
			if code, _, stderr := runCarrel(t, bin, password+"\n", "staff", "add", "dee", "--role", "desk", "--db", db); code != 0 {
				t.Fatalf("staff add: exit %d: %s", code, stderr)
			}

			srv := startServeProcess(t, bin, append([]string{"--db", db}, keyArgs...)...)
			desk := newWebClient(t, srv.url)
			if err := desk.signIn("dee", password); err != nil {
				t.Fatal(err)
			}
			twoFactor, enrolled := desk.enrolTOTP(t)
			raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(twoFactor)
			if err != nil {
				t.Fatal(err)
			}
			secrets := []secret{{"two-factor secret", twoFactor}, {"two-factor secret's bytes", string(raw)}}

			// Copies made now hold the secret as the set-up left it.
			copyDB := filepath.Join(dir, "copy.db")
			code, stdout, stderr := runCarrel(t, bin, "", "db", "copy", "--from", db, "--to", copyDB)
			if code != 0 || !strings.Contains(stdout, "serve it with the key file of") {
				t.Fatalf("db copy: exit %d: %s%s", code, stdout, stderr)
			}
			copies := map[string]string{"copy": copyDB}
			if kind.Name == "sqlite" {
				backup := filepath.Join(dir, "backup.db")
				code, stdout, stderr := runCarrel(t, bin, "", "db", "backup", "--db", db, backup)
				if code != 0 || !strings.Contains(stdout, "--secret-key-file "+keyFile) {
					t.Fatalf("db backup: exit %d: %s%s", code, stdout, stderr)
				}
				copies["backup"] = backup
			}

			// Signing in now takes a code.
			again := newWebClient(t, srv.url)
			again.signInWithCode(t, "dee", password, twoFactor, enrolled)

			places := map[string][]byte{}
			if kind.Name == "postgres" {
				places["PostgreSQL's rows"] = postgresRows(t, db)
				if !bytes.Contains(places["PostgreSQL's rows"], []byte("staff.totp.enrol")) {
					t.Fatal("PostgreSQL's rows hold no set-up: the search would prove nothing")
				}
			} else {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					places["carrel.db"+suffix+" while serving"] = readIfThere(t, db+suffix)
				}
			}
			if err := srv.stop(t); err != nil {
				t.Fatal(err)
			}
			places["the output of carrel serve"] = srv.output()
			if kind.Name == "sqlite" {
				var all []byte
				for _, suffix := range []string{"", "-wal", "-shm"} {
					places["carrel.db"+suffix+" after a clean stop"] = readIfThere(t, db+suffix)
					all = append(all, places["carrel.db"+suffix+" after a clean stop"]...)
				}
				if !bytes.Contains(all, []byte("staff.totp.enrol")) {
					t.Fatal("the database's files hold no set-up: the search would prove nothing")
				}
			}
			for name, path := range copies {
				places["the "+name] = readIfThere(t, path)
			}
			if found := findSecrets(places, secrets); len(found) > 0 {
				t.Fatalf("the two-factor secret is at rest or in a log:\n%s", strings.Join(found, "\n"))
			}

			// The wrong key files: each refused, with what to do.
			other := filepath.Join(dir, "other.key")
			if err := os.WriteFile(other, bytes.Repeat([]byte{7}, 32), 0o600); err != nil {
				t.Fatal(err)
			}
			loose := filepath.Join(dir, "loose.key")
			short := filepath.Join(dir, "short.key")
			key, err := os.ReadFile(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(loose, key, 0o600); err == nil {
				err = os.Chmod(loose, 0o644)
			}
			if err == nil {
				err = os.WriteFile(short, key[:31], 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			for file, want := range map[string]string{
				other: "is not the key this library's two-factor secrets are sealed with",
				loose: "can be read or written by other users (-rw-r--r--)",
				short: "holds 31 bytes, not a key of 32",
			} {
				code, stderr := refusedStart(t, bin, "--db", db, "--secret-key-file", file)
				if code != 1 || !strings.Contains(stderr, want) {
					t.Errorf("serve with %s: exit %d: %s\nwant %q", filepath.Base(file), code, stderr, want)
				}
			}

			// The copies: refused without the key file, which is not beside
			// them, and signing in with codes with it.
			for name, path := range copies {
				code, stderr := refusedStart(t, bin, "--db", path)
				if code != 1 || !strings.Contains(stderr, "no secret key file at "+strings.TrimSuffix(path, ".db")+".key") ||
					!strings.Contains(stderr, "give --secret-key-file the key file it was set up with") {
					t.Errorf("the %s served without its key file: exit %d: %s", name, code, stderr)
				}
				if _, err := os.Stat(strings.TrimSuffix(path, ".db") + ".key"); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("serving the %s without a key file made one: %v", name, err)
				}
				srv := startServeProcess(t, bin, "--db", path, "--secret-key-file", keyFile)
				newWebClient(t, srv.url).signInWithCode(t, "dee", password, twoFactor, enrolled)
				if err := srv.stop(t); err != nil {
					t.Fatal(err)
				}
			}
			if storage.IsPostgres(db) {
				return
			}
			// SQLite's key file is found beside the database by itself.
			srv = startServeProcess(t, bin, "--db", db)
			if err := srv.stop(t); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestLostSecretKey proves the way back from a lost key file: serve
// refuses to start without it, and says how; `carrel staff reset-totp
// --all` removes every account's codes and the binding to the lost key;
// serve then starts and makes a new key.
func TestLostSecretKey(t *testing.T) {
	bin := carrelBinary(t)
	dir := t.TempDir()
	db, keyFile := filepath.Join(dir, "carrel.db"), filepath.Join(dir, "carrel.key")
	if code, _, stderr := runCarrel(t, bin, "", "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	code, stderr := refusedStart(t, bin, "--db", db)
	if code != 1 || !strings.Contains(stderr, "no secret key file at "+keyFile) || !strings.Contains(stderr, "carrel staff reset-totp --all") {
		t.Fatalf("serve without its key file: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCarrel(t, bin, "", "staff", "reset-totp", "--all", "--db", db)
	if code != 0 || !strings.Contains(stdout, "two-factor codes of 0 staff accounts removed") {
		t.Fatalf("staff reset-totp --all: exit %d: %s%s", code, stdout, stderr)
	}
	srv := startServeProcess(t, bin, "--db", db)
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	if out := string(srv.output()); !strings.Contains(out, "made a new secret key, "+keyFile) {
		t.Errorf("serve after the reset did not say it made a key:\n%s", out)
	}
}
