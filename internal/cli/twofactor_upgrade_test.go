package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/pgtest"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// rawExec runs statements on the database at target behind Carrel's back,
// to make a library as an earlier Carrel left it.
func rawExec(t *testing.T, target string, stmts ...string) {
	t.Helper()
	if storage.IsPostgres(target) {
		for _, s := range stmts {
			pgtest.Exec(t, target, s)
		}
		return
	}
	db, err := sql.Open("sqlite", target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// rawQuery returns the one text a query of the database at target gives.
func rawQuery(t *testing.T, target, query string) string {
	t.Helper()
	var out string
	var err error
	if storage.IsPostgres(target) {
		ctx := context.Background()
		conn, cerr := pgx.Connect(ctx, target)
		if cerr != nil {
			t.Fatal(cerr)
		}
		defer conn.Close(ctx)
		err = conn.QueryRow(ctx, query).Scan(&out)
	} else {
		db, oerr := sql.Open("sqlite", target)
		if oerr != nil {
			t.Fatal(oerr)
		}
		defer db.Close()
		err = db.QueryRow(query).Scan(&out)
	}
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

// TestClearSecretsSealedOnUpgrade upgrades, on each kind of database, a
// library as the Carrel before sealing left it: an admin's two-factor
// secret in clear in staff.totp_secret, and set-ups begun and never
// confirmed in clear in staff.totp_pending, among 61 staff accounts. `carrel migrate` drops the
// column and seals the secret in place, with the key file, and says how
// many; the audit log counts them and holds neither secret. Neither
// secret is then in the database (on SQLite: in the file, its WAL or its
// shared memory, free pages included), and the admin signs in with a code
// of the old secret, which the phone still makes.
func TestClearSecretsSealedOnUpgrade(t *testing.T) {
	bin := carrelBinary(t)
	const password = "Granary-Wharf-Lamp-2291"
	const clear, pending = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLV"
	for _, kind := range storagetest.Targets() {
		t.Run(kind.Name, func(t *testing.T) {
			dir := t.TempDir()
			db, keyFile := filepath.Join(dir, "carrel.db"), filepath.Join(dir, "carrel.key")
			if kind.Name == "postgres" {
				db = pgtest.URL(t)
			}
			keyArgs := []string{"--secret-key-file", keyFile}
			// The library before sealing: at the schema version before it,
			// with no key.
			ctx := context.Background()
			old, err := storage.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			sealing := old.MigrationVersion("sealed_totp")
			if _, err := old.MigrateTo(ctx, sealing-1); err != nil {
				t.Fatal(err)
			}
			cfg := library.DefaultConfig()
			_, err = library.NewService(&cfg, old, library.NewHasher(0)).AddStaff(ctx, library.CommandLine,
				library.NewStaff{Username: "ada", Name: "Ada Lau", Role: library.RoleAdmin}, password)
			// Enough staff that their table spans several pages: the old
			// bytes of a row rewritten are then left in free space, in
			// the file, unless the database is rewritten.
			for i := range 60 {
				if err == nil {
					_, err = library.NewService(&cfg, old, library.NewHasher(0)).AddStaff(ctx, library.CommandLine,
						library.NewStaff{Username: "staff" + strconv.Itoa(i), Name: "Staff " + strconv.Itoa(i), Role: library.RoleDesk}, password)
				}
			}
			if cerr := old.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			rawExec(t, db, `UPDATE staff SET totp_pending = '`+pending+`'`, `UPDATE staff SET totp_secret = '`+clear+`' WHERE username = 'ada'`)
			if kind.Name == "sqlite" && !bytes.Contains(append(readIfThere(t, db), readIfThere(t, db+"-wal")...), []byte(pending)) {
				t.Fatal("the old library holds no secret in clear: the search would prove nothing")
			}
			if code, stderr := refusedStart(t, bin, append([]string{"--db", db}, keyArgs...)...); code != 1 || !strings.Contains(stderr, "carrel migrate") {
				t.Errorf("serve on the old schema: exit %d: %s", code, stderr)
			}

			code, stdout, stderr := runCarrel(t, bin, "", append([]string{"migrate", "--db", db}, keyArgs...)...)
			if code != 0 || !strings.Contains(stdout, "applied ") ||
				!strings.Contains(stderr, "sealed 1 two-factor secrets that were stored in clear") {
				t.Fatalf("migrate to sealed secrets: exit %d: %s%s", code, stdout, stderr)
			}
			if got := rawQuery(t, db, `SELECT detail FROM audit_log WHERE action = 'staff.totp.sealed'`); got != "1 two-factor secrets sealed with the secret key" {
				t.Errorf("the audit entry of the sealing: %q", got)
			}
			places := map[string][]byte{}
			if kind.Name == "postgres" {
				places["PostgreSQL's rows"] = postgresRows(t, db)
			} else {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					places["carrel.db"+suffix+" after the upgrade"] = readIfThere(t, db+suffix)
				}
			}
			if found := findSecrets(places, []secret{{"old two-factor secret", clear}, {"old set-up", pending}}); len(found) > 0 {
				t.Fatalf("a secret of the old library is still in the database:\n%s", strings.Join(found, "\n"))
			}

			srv := startServeProcess(t, bin, append([]string{"--db", db}, keyArgs...)...)
			newWebClient(t, srv.url).signInWithCode(t, "ada", password, clear, 0)
			if err := srv.stop(t); err != nil {
				t.Fatal(err)
			}
		})
	}
}
