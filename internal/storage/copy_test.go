package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/demo"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/pgtest"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// demoLibrary fills a fresh database at target with the demo library, plus
// a row in every table the demo leaves empty: two sessions, of which the
// newer was deleted (so the sessions' id sequence is past the highest id
// left), a sign-in failure, a sign-in lock and a job. It returns the
// database and a service over it whose clock reads now.
func demoLibrary(t *testing.T, target string, now time.Time) (*storage.DB, *library.Service) {
	t.Helper()
	db := storagetest.Open(t, target)
	svc := newService(db, now)
	if err := demo.Fill(context.Background(), svc); err != nil {
		t.Fatalf("demo.Fill: %v", err)
	}
	update(t, db, func(tx library.Tx) error {
		p, err := tx.PatronByBarcode(demo.CaseOf(demo.Staff).Barcode)
		if err != nil {
			return err
		}
		// A block with a message for the patron, every column of it not
		// its default (migration 0012).
		p.BlockedReason = "card kept at kiosk 3"
		p.BlockNotice = library.BlockNotice{Reason: library.BlockCardKept, Text: "Collect it at the counter.", Shown: true}
		if err := tx.UpdatePatron(p); err != nil {
			return err
		}
		var ids []int64
		for i := range 2 {
			s := library.Session{TokenHash: []byte{0xca, 0x77, byte(i)}, PatronID: p.ID, CSRFToken: fmt.Sprint("csrf-", i), PublicID: fmt.Sprint("public-", i),
				CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), PresetProved: i == 0}
			if err := tx.CreateSession(&s); err != nil {
				return err
			}
			ids = append(ids, s.ID)
		}
		if err := tx.DeleteSession(ids[1]); err != nil {
			return err
		}
		it, err := tx.ItemByID(7)
		if err != nil {
			return err
		}
		it.Withdrawn = true
		if err := tx.UpdateItem(it); err != nil {
			return err
		}
		if _, err := tx.AddFailure("addr:192.0.2.9", now); err != nil {
			return err
		}
		if err := tx.Lock("addr:192.0.2.10", now.Add(time.Minute)); err != nil {
			return err
		}
		_, err = tx.ClaimJob("sweep", now, now.Add(time.Minute))
		return err
	})
	// Behind Carrel's back, so as not to depend on the SIP2 code.
	// The gate's policy is not the default in either column (migration
	// 0009), so that a copy that left them out would show.
	exec(t, target, `INSERT INTO sip_accounts (login, institution, location, password_hash, login_required, created_at, require_pin, encoding) VALUES
('kiosk-1', 'HKCT', 'Main Library', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', '1', '2025-03-01T09:00:00.000000Z', '1', 'utf-8'),
('gate-2', 'HKCT', '', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2h', '0', '2025-03-02T09:00:00.000000Z', '0', 'cp850')`)
	return db, svc
}

// newService returns a service over db whose clock reads now.
func newService(db *storage.DB, now time.Time) *library.Service {
	cfg := library.DefaultConfig()
	svc := library.NewService(&cfg, db, library.NewHasher(0))
	svc.SetClock(func() time.Time { return now })
	return svc
}

// openDB opens the database at target as Carrel would, refusing any other
// schema than this Carrel's, and closes it when the test ends.
func openDB(t *testing.T, target string) *storage.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema: %v", err)
	}
	return db
}

// copyDB copies src into dst and fails the test on error.
func copyDB(t testing.TB, dst, src *storage.DB, opts storage.CopyOptions) storage.CopyReport {
	t.Helper()
	rep, err := storage.Copy(context.Background(), dst, src, opts)
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	return rep
}

// rawDB opens the database at target without Carrel, to look at it or
// change it behind Carrel's back.
func rawDB(t *testing.T, target string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if storage.IsPostgres(target) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// exec runs SQL on the database at target behind Carrel's back.
func exec(t *testing.T, target, query string, args ...any) {
	t.Helper()
	if _, err := rawDB(t, target).Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// queryInt runs a query that returns one integer.
func queryInt(t *testing.T, target, query string) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := rawDB(t, target).QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n.Int64
}

// rowCount counts the rows of a table.
func rowCount(t *testing.T, target, table string) int {
	t.Helper()
	return int(queryInt(t, target, `SELECT COUNT(*) FROM `+table))
}

// filled are the tables demoLibrary puts rows in.
var filled = []string{"patrons", "items", "loans", "fines", "sessions",
	"signin_failures", "signin_locks", "audit_log", "jobs", "sip_accounts"}

// tableNames lists the tables of the database at target but
// schema_migrations, as the database itself knows them. On SQLite these
// are its ordinary tables: not the virtual tables of the desk's search
// index nor the shadow tables SQLite keeps their index in, which are an
// index as PostgreSQL's indexes are (migration 0006).
func tableNames(t *testing.T, target string) []string {
	t.Helper()
	query := `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite%'`
	if storage.IsPostgres(target) {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := rawDB(t, target).Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if name != "schema_migrations" {
			names = append(names, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// sessionTable reports whether a table holds sessions, which a copy leaves
// behind unless asked.
func sessionTable(name string) bool { return strings.HasSuffix(name, "sessions") }

// TestCopySQLiteToPostgres moves a filled SQLite library to PostgreSQL,
// the move a growing library makes, and checks it as its patrons would:
// the same PINs sign in, the same borrowing records show, and new patrons
// and loans can be added after the copied ones.
func TestCopySQLiteToPostgres(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	source := filepath.Join(t.TempDir(), "carrel.db")
	srcDB, srcSvc := demoLibrary(t, source, now)
	target := pgtest.URL(t)
	dstDB := openTarget(t, target)

	progress := map[string]int{}
	rep := copyDB(t, dstDB, srcDB, storage.CopyOptions{Progress: func(table string, done, total int) {
		if done > total || done < progress[table] {
			t.Errorf("progress of %s: %d of %d after %d", table, done, total, progress[table])
		}
		progress[table] = done
	}})
	var got []string
	for _, tc := range rep.Tables {
		got = append(got, tc.Table)
		if tc.Skipped != sessionTable(tc.Table) {
			t.Errorf("%s: Skipped = %v; only sessions are left behind without CopyOptions.Sessions", tc.Table, tc.Skipped)
		}
		if n := rowCount(t, target, tc.Table); n != tc.Rows || progress[tc.Table] != tc.Rows {
			t.Errorf("%s: reported %d rows, progress ended at %d, the target has %d", tc.Table, tc.Rows, progress[tc.Table], n)
		}
	}
	slices.Sort(got)
	diff(t, "tables copied", got, tableNames(t, source))
	t.Logf("copied %d rows in %v", rep.Rows(), rep.Elapsed)

	// Everything but the sessions is the same, row for row.
	err := storage.Verify(ctx, srcDB, dstDB)
	var ve *storage.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("Verify after a copy without sessions: %v; want sessions to differ", err)
	}
	for _, d := range ve.Diffs {
		if !sessionTable(d.Table) || d.TargetRows != 0 {
			t.Errorf("Verify after a copy without sessions: %s differs: %v", d.Table, err)
		}
	}

	db := openDB(t, target)
	svc := newService(db, now)
	if a, err := svc.SIPAccountByLogin(ctx, "gate-2"); err != nil || a.RequirePIN || a.Encoding != "cp850" {
		t.Errorf("SIP2 account after the copy: %+v, %v; want its policy: no PIN required, cp850", a, err)
	}
	var patronIDs []int64
	for _, c := range demo.Cases() {
		patronIDs = append(patronIDs, patronID(t, srcDB, c.Barcode))
	}
	patronIDs = append(patronIDs, 1, 2, 100, 250, 300)
	for _, id := range patronIDs {
		want, err := srcSvc.BorrowingRecord(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.BorrowingRecord(ctx, id)
		if err != nil {
			t.Fatalf("patron %d on the copy: %v", id, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("borrowing record of patron %d differs:\n got  %+v\n want %+v", id, got, want)
		}
	}
	if rec, _ := svc.BorrowingRecord(ctx, patronID(t, srcDB, demo.CaseOf(demo.Fines).Barcode)); rec.FineBalance == 0 || rec.OverdueCount == 0 {
		t.Errorf("the fines case has fines %v and %d overdue loans on the copy; want both", rec.FineBalance, rec.OverdueCount)
	}

	for _, c := range demo.Cases() {
		t.Run("signin/"+string(c.Kind), func(t *testing.T) {
			if c.PIN == "" {
				// A card holder cannot sign in, whatever they type.
				if _, err := svc.SignIn(ctx, c.Barcode, c.Barcode, "127.0.0.1"); !errors.Is(err, library.ErrSignInFailed) {
					t.Fatalf("card holder SignIn: %v, want ErrSignInFailed", err)
				}
				return
			}
			in, err := svc.SignIn(ctx, c.Barcode, c.PIN, "127.0.0.1")
			if err != nil {
				t.Fatalf("SignIn(%s) with the demo PIN on the copy: %v", c.Barcode, err)
			}
			if in.Patron.Name != c.Name {
				t.Errorf("signed in as %q, want %q", in.Patron.Name, c.Name)
			}
			if in.Session.ID <= 2 {
				t.Errorf("new session id %d: want past 2, the highest id the source handed out", in.Session.ID)
			}
		})
	}

	// New rows get new ids after the copied ones.
	p := library.Patron{Barcode: "S90001", Category: "staff", Name: "New After Copy",
		RegisteredOn: library.NewDate(2025, 1, 6), PIN: library.PINRecord{Kind: library.PINPreset}}
	it := library.Item{Barcode: "NEW0001", Title: "A Book Bought After the Move"}
	update(t, db, func(tx library.Tx) error {
		if err := tx.CreatePatron(&p); err != nil {
			return err
		}
		return tx.CreateItem(&it)
	})
	loan, err := svc.Checkout(ctx, p.Barcode, it.Barcode, "staff:test")
	if err != nil {
		t.Fatalf("Checkout on the copy: %v", err)
	}
	for _, got := range []struct {
		table string
		id    int64
	}{{"patrons", p.ID}, {"items", it.ID}, {"loans", loan.ID}} {
		if last := queryInt(t, source, `SELECT MAX(id) FROM `+got.table); got.id <= last {
			t.Errorf("new row of %s has id %d: want past %d, the last one copied", got.table, got.id, last)
		}
	}
}

// openTarget opens a database for a copy to write into, closed when the
// test ends.
func openTarget(t testing.TB, target string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// patronID returns the id of the patron with the barcode.
func patronID(t *testing.T, db *storage.DB, barcode string) int64 {
	t.Helper()
	var id int64
	view(t, db, func(tx library.Tx) error {
		p, err := tx.PatronByBarcode(barcode)
		id = p.ID
		return err
	})
	return id
}

// TestCopyEachWay copies a library, sessions too, between every pair of
// databases and checks that both hold the same rows, and that ids handed
// out after the copy do not repeat ones the source had handed out.
func TestCopyEachWay(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, from := range storagetest.Targets() {
		for _, to := range storagetest.Targets() {
			t.Run(from.Name+"_to_"+to.Name, func(t *testing.T) {
				src, _ := demoLibrary(t, from.Fresh(t), now)
				target := to.Fresh(t)
				dst := openTarget(t, target)
				rep := copyDB(t, dst, src, storage.CopyOptions{Sessions: true})
				if err := storage.Verify(ctx, src, dst); err != nil {
					t.Fatalf("Verify: %v", err)
				}
				for _, tc := range rep.Tables {
					if tc.Skipped {
						t.Errorf("%s skipped with Sessions set", tc.Table)
					}
					n := rowCount(t, target, tc.Table)
					if n != tc.Rows || n == 0 && slices.Contains(filled, tc.Table) {
						t.Errorf("%s: reported %d rows, the target has %d; want the same, and some", tc.Table, tc.Rows, n)
					}
				}
				// Read through the store, every patron and item is the
				// same: the checksum alone would not catch a value misread
				// the same way on both sides.
				diff(t, "patrons", everyPatron(t, dst), everyPatron(t, src))
				diff(t, "items", everyItem(t, dst), everyItem(t, src))

				// The foreign keys hold on the copy (on PostgreSQL the copy
				// drops them while it writes and adds them back).
				err := dst.Update(ctx, func(tx library.Tx) error {
					return tx.AddFine(&library.FineEntry{PatronID: 999_999, Kind: library.FineCharge, Amount: 100, CreatedAt: now})
				})
				wantCode(t, err, library.ENOTFOUND)
				if to.Name == "postgres" {
					const fks = `SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`
					fresh := to.Fresh(t)
					storagetest.Open(t, fresh)
					if got, want := queryInt(t, target, fks), queryInt(t, fresh, fks); got != want || got == 0 {
						t.Errorf("%d foreign keys on the copy, %d on a fresh database", got, want)
					}
				}
				// The session left was copied with its token hash; the one
				// deleted in the source keeps its id from being handed out again.
				update(t, dst, func(tx library.Tx) error {
					s, err := tx.SessionByTokenHash([]byte{0xca, 0x77, 0})
					if err != nil {
						return err
					}
					if !s.PresetProved {
						t.Error("the copied session no longer says it proved the barcode preset")
					}
					s2 := s
					s2.TokenHash, s2.PublicID = []byte{1}, "public-new"
					if err := tx.CreateSession(&s2); err != nil {
						return err
					}
					if s2.ID <= 2 {
						t.Errorf("new session id %d: want past 2, the highest the source handed out", s2.ID)
					}
					return nil
				})
			})
		}
	}
}

// everyPatron returns every patron, as the store reads them.
func everyPatron(t *testing.T, db *storage.DB) []library.Patron {
	t.Helper()
	var ps []library.Patron
	view(t, db, func(tx library.Tx) error {
		return tx.EachPatron(func(p library.Patron) error {
			ps = append(ps, p)
			return nil
		})
	})
	return ps
}

// everyItem returns every item, as the store reads them.
func everyItem(t *testing.T, db *storage.DB) []library.Item {
	t.Helper()
	var its []library.Item
	view(t, db, func(tx library.Tx) error {
		return tx.EachItem(func(it library.Item) error {
			its = append(its, it)
			return nil
		})
	})
	return its
}

// TestCopyRefusesNonEmptyTarget checks that a copy refuses a target that
// holds rows, or tables that are not Carrel's, and leaves it as it was.
func TestCopyRefusesNonEmptyTarget(t *testing.T) {
	ctx := context.Background()
	src, _ := demoLibrary(t, filepath.Join(t.TempDir(), "carrel.db"), time.Now())
	for _, k := range storagetest.Targets() {
		t.Run(k.Name+"/rows", func(t *testing.T) {
			target := k.Fresh(t)
			dst := storagetest.Open(t, target)
			addPatron(t, dst, "20240001")
			_, err := storage.Copy(ctx, dst, src, storage.CopyOptions{})
			if !errors.Is(err, storage.ErrTargetNotEmpty) || !strings.Contains(err.Error(), "1 patrons") {
				t.Fatalf("Copy into a target with a patron: %v; want ErrTargetNotEmpty naming it", err)
			}
			for _, table := range tableNames(t, target) {
				want := 0
				if table == "patrons" {
					want = 1
				}
				if n := rowCount(t, target, table); n != want {
					t.Errorf("%s: %d rows after the refusal, want %d", table, n, want)
				}
			}
		})
		t.Run(k.Name+"/foreign", func(t *testing.T) {
			target := k.Fresh(t)
			exec(t, target, `CREATE TABLE books (id integer PRIMARY KEY, title text)`)
			dst := openTarget(t, target)
			_, err := storage.Copy(ctx, dst, src, storage.CopyOptions{})
			if !errors.Is(err, storage.ErrTargetNotEmpty) || !strings.Contains(err.Error(), "books") {
				t.Fatalf("Copy into a database with someone else's table: %v; want ErrTargetNotEmpty naming it", err)
			}
			// Not given Carrel's schema: still only the foreign table.
			if _, _, err := dst.SchemaState(ctx); err == nil || !strings.Contains(err.Error(), "1 tables but no schema_migrations") {
				t.Errorf("SchemaState after the refusal: %v; want the foreign table alone", err)
			}
		})
	}
}

// TestCopyRefusesSourceSchema checks that only a source at exactly this
// Carrel's schema is copied, and that the target is not touched otherwise.
func TestCopyRefusesSourceSchema(t *testing.T) {
	ctx := context.Background()
	newer := filepath.Join(t.TempDir(), "newer.db")
	db := storagetest.Open(t, newer)
	_, latest, err := db.SchemaState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exec(t, newer, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future', '2030-01-01T00:00:00.000000Z')`, latest+1)

	for _, tc := range []struct {
		name, source, want string
	}{
		{"empty", filepath.Join(t.TempDir(), "empty.db"), "older than this Carrel"},
		{"newer", newer, "newer than this Carrel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := openTarget(t, tc.source)
			target := filepath.Join(t.TempDir(), "target.db")
			dst := openTarget(t, target)
			_, err := storage.Copy(ctx, dst, src, storage.CopyOptions{})
			var se *storage.SchemaError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Copy: %v; want a SchemaError saying %q", err, tc.want)
			}
			if current, _, err := dst.SchemaState(ctx); current != 0 || err != nil {
				t.Errorf("target after the refusal: schema version %d, %v; want an empty database", current, err)
			}
		})
	}
}

// TestCopyAllOrNothing stops a copy halfway and checks that the target
// holds no rows, and that a second copy into it then succeeds.
func TestCopyAllOrNothing(t *testing.T) {
	src, _ := demoLibrary(t, filepath.Join(t.TempDir(), "carrel.db"), time.Now())
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			target := k.Fresh(t)
			dst := openTarget(t, target)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := storage.Copy(ctx, dst, src, storage.CopyOptions{Progress: func(table string, done, total int) {
				if table == "loans" && done > 0 {
					cancel() // patrons and items are written by now
				}
			}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Copy stopped halfway: %v; want context.Canceled", err)
			}
			for _, table := range tableNames(t, target) {
				if n := rowCount(t, target, table); n != 0 {
					t.Errorf("%s: %d rows after a failed copy, want none", table, n)
				}
			}
			copyDB(t, dst, src, storage.CopyOptions{Sessions: true})
			if err := storage.Verify(context.Background(), src, dst); err != nil {
				t.Errorf("Verify after the second copy: %v", err)
			}
		})
	}
}

// TestVerifyCatchesMismatch changes a copy behind Carrel's back, in ways
// a faulty conversion might, and checks that Verify names the table.
func TestVerifyCatchesMismatch(t *testing.T) {
	ctx := context.Background()
	src, _ := demoLibrary(t, filepath.Join(t.TempDir(), "carrel.db"), time.Now())
	for _, k := range storagetest.Targets() {
		pg := k.Name == "postgres"
		for _, tc := range []struct {
			name, table, sqlite, postgres string
		}{
			{"instant off by a microsecond", "loans",
				`UPDATE loans SET due_at = strftime('%Y-%m-%dT%H:%M:%S', due_at) || '.000001Z' WHERE id = 1`,
				`UPDATE loans SET due_at = date_trunc('second', due_at) + interval '1 microsecond' WHERE id = 1`},
			{"day moved", "patrons",
				`UPDATE patrons SET expires_on = date(expires_on, '+1 day') WHERE id = 1`,
				`UPDATE patrons SET expires_on = expires_on + 1 WHERE id = 1`},
			{"NULL become empty", "patrons",
				`UPDATE patrons SET pin_hash = '' WHERE id = (SELECT MIN(id) FROM patrons WHERE pin_hash IS NULL)`, ""},
			{"boolean flipped", "items",
				`UPDATE items SET withdrawn = 1 - withdrawn WHERE id = 7`,
				`UPDATE items SET withdrawn = NOT withdrawn WHERE id = 7`},
			{"row missing", "audit_log", `DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)`, ""},
			{"bytes changed", "sessions", `UPDATE sessions SET token_hash = X'cafe'`, `UPDATE sessions SET token_hash = '\xcafe'`},
			{"count changed", "jobs", `UPDATE jobs SET runs = runs + 1`, ""},
		} {
			t.Run(k.Name+"/"+tc.name, func(t *testing.T) {
				target := k.Fresh(t)
				dst := openTarget(t, target)
				copyDB(t, dst, src, storage.CopyOptions{Sessions: true})
				if err := storage.Verify(ctx, src, dst); err != nil {
					t.Fatalf("Verify of a faithful copy: %v", err)
				}
				query := tc.sqlite
				if pg && tc.postgres != "" {
					query = tc.postgres
				}
				exec(t, target, query)
				var ve *storage.VerifyError
				err := storage.Verify(ctx, src, dst)
				if !errors.As(err, &ve) || len(ve.Diffs) != 1 || ve.Diffs[0].Table != tc.table || !strings.Contains(err.Error(), tc.table) {
					t.Fatalf("Verify: %v; want a VerifyError naming %s alone", err, tc.table)
				}
				t.Log(err)
			})
		}
	}
}

// TestCopyTablesMatchMigrations checks the copy list against the tables the
// migrations create, on both databases, and that a table or column added
// without adding it to the list is caught with a message saying where.
func TestCopyTablesMatchMigrations(t *testing.T) {
	ctx := context.Background()
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			target := k.Fresh(t)
			db := storagetest.Open(t, target)
			if err := db.CheckCopyTables(ctx); err != nil {
				t.Fatalf("the copy list does not match the migrations: %v", err)
			}
			// Names no migration will take, standing for a new table and column.
			exec(t, target, `CREATE TABLE test_new_table (id integer PRIMARY KEY, patron_id integer)`)
			exec(t, target, `ALTER TABLE patrons ADD COLUMN test_new_column text`)
			// Opened again: pgx's cached statements are of the old schema.
			err := openTarget(t, target).CheckCopyTables(ctx)
			for _, want := range []string{
				"table test_new_table is not in the copy list: add it",
				"column patrons.test_new_column is not in the copy list: add it",
				"internal/storage/tables.go",
			} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("CheckCopyTables with a new table and column: %v; want %q", err, want)
				}
			}
		})
	}
}

func TestSameDatabase(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.db")
	exec(t, a, `CREATE TABLE x (y integer)`)
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{a, filepath.Join(dir, ".", "a.db"), true},
		{a, filepath.Join(dir, "b.db"), false},
		{"new.db", "./new.db", true},
		{"postgres://carrel:one@db.example:5432/library", "postgresql://other:two@db.example/library", true},
		{"postgres://carrel@db.example/library", "postgres://carrel@db.example/archive", false},
		{"postgres://carrel@db.example/library?search_path=a", "postgres://carrel@db.example/library?search_path=b", false},
		{"postgres://carrel@db.example/library", "library", false},
	} {
		if got := storage.SameDatabase(tc.a, tc.b); got != tc.want {
			t.Errorf("SameDatabase(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// bigLibrary fills the database with patrons, items and loans (half of
// them returned), through the store as an import would.
func bigLibrary(b *testing.B, db *storage.DB, patrons, items, loans int) {
	b.Helper()
	base := time.Date(2024, 9, 2, 1, 30, 0, 0, time.UTC)
	err := db.Update(context.Background(), func(tx library.Tx) error {
		pids := make([]int64, patrons)
		for i := range pids {
			p := library.Patron{Barcode: fmt.Sprintf("%08d", 20000000+i), Category: "student",
				Name: fmt.Sprintf("Patron %d", i), Email: fmt.Sprintf("p%d@example.edu.hk", i),
				RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31),
				PIN: library.PINRecord{Kind: library.PINPreset}}
			if i%2 == 0 {
				p.PIN = library.PINRecord{Kind: library.PINChosen, SetAt: base,
					Hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$" + fmt.Sprintf("%043d", i)}
			}
			if err := tx.CreatePatron(&p); err != nil {
				return err
			}
			pids[i] = p.ID
		}
		its := make([]library.Item, items)
		for i := range its {
			its[i] = library.Item{Barcode: fmt.Sprintf("B%07d", i), Title: fmt.Sprintf("Title of book %d", i),
				Author: "Author " + fmt.Sprint(i%997), CallNumber: fmt.Sprintf("PL%04d .C%d", i%9000, i%97), Location: "Main Library"}
			if err := tx.CreateItem(&its[i]); err != nil {
				return err
			}
		}
		for i := range loans {
			out := base.Add(time.Duration(i) * time.Minute)
			l := library.Loan{PatronID: pids[i%patrons], Item: its[i%items], CheckedOutAt: out, DueAt: out.Add(14 * 24 * time.Hour)}
			if err := tx.CreateLoan(&l); err != nil {
				return err
			}
			if i < loans-items {
				l.ReturnedAt, l.PatronID = out.Add(7*24*time.Hour), 0
				if err := tx.UpdateLoan(l); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// benchmarkCopy copies a library of 50,000 patrons, 100,000 items and
// 200,000 loans into a fresh database made by fresh, and reports rows/s.
func benchmarkCopy(b *testing.B, fresh func(testing.TB) string) {
	src := storagetest.Open(b, filepath.Join(b.TempDir(), "big.db"))
	start := time.Now()
	bigLibrary(b, src, 50_000, 100_000, 200_000)
	b.Logf("filled the source in %v", time.Since(start))
	var rows int
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dst := openTarget(b, fresh(b))
		b.StartTimer()
		rows = copyDB(b, dst, src, storage.CopyOptions{}).Rows()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCopyToPostgres measures the move of a big SQLite library to
// PostgreSQL. It skips without CARREL_TEST_POSTGRES.
func BenchmarkCopyToPostgres(b *testing.B) {
	pgtest.URL(b)
	benchmarkCopy(b, func(tb testing.TB) string { return pgtest.URL(tb) })
}

// BenchmarkCopyToSQLite measures the same copy into a SQLite file.
func BenchmarkCopyToSQLite(b *testing.B) {
	benchmarkCopy(b, func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "copy.db") })
}

// TestCopyKeepsDeskSearch checks that the desk finds the same patrons and
// items in a copy as in its source, each way: on SQLite the search index
// is no table a copy carries, and the target's own triggers must fill it.
func TestCopyKeepsDeskSearch(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, from := range storagetest.Targets() {
		for _, to := range storagetest.Targets() {
			t.Run(from.Name+"_to_"+to.Name, func(t *testing.T) {
				src, _ := demoLibrary(t, from.Fresh(t), now)
				dst := openTarget(t, to.Fresh(t))
				copyDB(t, dst, src, storage.CopyOptions{})
				// A few of the patrons and items, from first to last.
				var texts []string
				items, patrons := everyItem(t, src), everyPatron(t, src)
				for i := 0; i < len(items); i += len(items)/8 + 1 {
					it := items[i]
					texts = append(texts, middle(it.Title), middle(it.Author), middle(it.CallNumber))
				}
				for i := 0; i < len(patrons); i += len(patrons)/8 + 1 {
					texts = append(texts, middle(patrons[i].Name), middle(patrons[i].Email))
				}
				for _, text := range texts {
					want, got := deskSearch(t, src, text), deskSearch(t, dst, text)
					if len(want) == 0 {
						t.Errorf("%q: nothing found in the source", text)
					}
					diff(t, "found by "+text, got, want)
				}
			})
		}
	}
}

// middle returns four characters from the middle of s, or s when shorter.
func middle(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return s
	}
	return string(r[len(r)/2-2 : len(r)/2+2])
}

// deskSearch returns the barcodes of the patrons and items the desk finds
// by text, sorted (the two databases may sort names differently).
func deskSearch(t *testing.T, db *storage.DB, text string) []string {
	t.Helper()
	var found []string
	view(t, db, func(tx library.Tx) error {
		ps, err := tx.SearchPatrons(library.PatronQuery{Text: text, Limit: 1000})
		for _, p := range ps {
			found = append(found, p.Barcode)
		}
		its, err2 := tx.SearchItems(library.ItemQuery{Text: text, Limit: 1000})
		for _, it := range its {
			found = append(found, it.Item.Barcode)
		}
		return errors.Join(err, err2)
	})
	slices.Sort(found)
	return found
}
