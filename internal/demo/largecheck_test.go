package demo_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/demo"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
)

// largeCheck checks a generated library of a known size.
type largeCheck struct {
	t    *testing.T
	svc  *library.Service
	db   *storage.DB
	size demo.Size
}

// rawPool returns a pool of db's own connections, to look at rows as they
// are stored.
func rawPool(db *storage.DB) *sql.DB {
	if db.Dialect() == "postgres" {
		return db.Pools()["postgres"]
	}
	return db.Pools()["read"]
}

// queryInt runs a query that returns one integer.
func queryInt(t *testing.T, db *storage.DB, query string) int {
	t.Helper()
	var n int
	if err := rawPool(db).QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// rowsIn counts the rows of a table.
func rowsIn(t *testing.T, db *storage.DB, table string) int {
	t.Helper()
	return queryInt(t, db, `SELECT COUNT(*) FROM `+table)
}

// counts checks the rows of each kind.
func (c *largeCheck) counts() {
	t, db, s := c.t, c.db, c.size
	for _, q := range []struct {
		what  string
		query string
		want  int
	}{
		{"patrons", `SELECT COUNT(*) FROM patrons`, s.Patrons},
		{"items", `SELECT COUNT(*) FROM items`, s.Items},
		{"returned loans", `SELECT COUNT(*) FROM loans WHERE returned_at IS NOT NULL`, s.ReturnedLoans},
		{"open loans", `SELECT COUNT(*) FROM loans WHERE returned_at IS NULL`, s.OpenLoans},
		{"audit entries of the fill", `SELECT COUNT(*) FROM audit_log WHERE action = 'demo.fill' AND actor = 'system'`, 1},
		{"SIP2 kiosk accounts", `SELECT COUNT(*) FROM sip_accounts WHERE login = '` + demo.Kiosk.Login + `'`, 1},
	} {
		if got := queryInt(t, db, q.query); got != q.want {
			t.Errorf("%s: %d, want %d", q.what, got, q.want)
		}
	}
}

// loans checks that every loan is one Carrel's check-out and check-in
// could have left.
func (c *largeCheck) loans() {
	t, db := c.t, c.db
	for _, q := range []struct{ what, query string }{
		{"returned loans still linked to their patron", `SELECT COUNT(*) FROM loans WHERE returned_at IS NOT NULL AND patron_id IS NOT NULL`},
		{"items on loan twice", `SELECT COUNT(*) FROM (SELECT item_id FROM loans WHERE returned_at IS NULL GROUP BY item_id HAVING COUNT(*) > 1) x`},
		{"loans of an item that overlap (or an open loan before a later one)", `SELECT COUNT(*) FROM (
SELECT returned_at, LEAD(checked_out_at) OVER (PARTITION BY item_id ORDER BY checked_out_at, id) AS next_out FROM loans) x
WHERE next_out IS NOT NULL AND (returned_at IS NULL OR returned_at > next_out)`},
		{"loans returned before they were lent", `SELECT COUNT(*) FROM loans WHERE returned_at <= checked_out_at`},
		{"returned loans that were overdue (fines without a charge)", `SELECT COUNT(*) FROM loans WHERE returned_at > due_at`},
		{"loans due before they were lent", `SELECT COUNT(*) FROM loans WHERE due_at <= checked_out_at`},
		{"withdrawn items on loan", `SELECT COUNT(*) FROM loans l JOIN items i ON i.id = l.item_id WHERE l.returned_at IS NULL AND i.withdrawn`},
		{"open loans to card holders", `SELECT COUNT(*) FROM loans l JOIN patrons p ON p.id = l.patron_id WHERE l.returned_at IS NULL AND p.registered_on IS NULL`},
		{"open loans before the patron registered", `SELECT COUNT(*) FROM loans l JOIN patrons p ON p.id = l.patron_id
WHERE l.returned_at IS NULL AND l.checked_out_at < p.registered_on`},
		{"fines", `SELECT COUNT(*) FROM fines`},
	} {
		query := q.query
		if db.Dialect() == "sqlite" {
			// SQLite keeps booleans as 0 and 1.
			query = strings.ReplaceAll(query, "AND i.withdrawn", "AND i.withdrawn = 1")
		}
		if n := queryInt(t, db, query); n != 0 {
			t.Errorf("%s: %d", q.what, n)
		}
	}
	// Every current loan is in the future of its check-out and falls due
	// as check-out would have set it.
	err := c.svc.Store().View(context.Background(), func(tx library.Tx) error {
		cfg := c.svc.Config()
		for _, n := range c.size.Heavy {
			p, err := tx.PatronByBarcode(fmt.Sprint("HEAVY", n))
			if err != nil {
				return err
			}
			cat, _ := cfg.Category(p.Category)
			loans, err := tx.OpenLoans(p.ID)
			if err != nil {
				return err
			}
			for _, l := range loans {
				if want := cfg.DueAt(l.CheckedOutAt, cat.LoanDays); !l.DueAt.Equal(want) || l.CheckedOutAt.After(largeNow) {
					t.Errorf("loan %d: lent %v, due %v; want due %v and lent before now", l.ID, l.CheckedOutAt, l.DueAt, want)
					return nil
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// limits checks each patron's current loans: the heavy patrons' exactly,
// everyone else's within the category's loan limit.
func (c *largeCheck) limits() {
	t := c.t
	rows, err := rawPool(c.db).Query(`SELECT p.barcode, p.category, COUNT(*) FROM loans l JOIN patrons p ON p.id = l.patron_id
WHERE l.returned_at IS NULL GROUP BY p.barcode, p.category`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	heavy := map[string]int{}
	for _, n := range c.size.Heavy {
		heavy[fmt.Sprint("HEAVY", n)] = n
	}
	seen, borrowers := 0, 0
	for rows.Next() {
		var barcode, category string
		var n int
		if err := rows.Scan(&barcode, &category, &n); err != nil {
			t.Fatal(err)
		}
		cat, _ := c.svc.Config().Category(category)
		if want, ok := heavy[barcode]; ok {
			seen++
			if n != want {
				t.Errorf("heavy patron %s has %d current loans, want %d", barcode, n, want)
			}
		} else if borrowers++; n > cat.MaxLoans {
			t.Errorf("patron %s (%s) has %d current loans, over the limit of %d", barcode, category, n, cat.MaxLoans)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != len(heavy) {
		t.Errorf("%d heavy patrons have loans, want %d", seen, len(heavy))
	}
	t.Logf("%d patrons besides the heavy ones have current loans", borrowers)
}

// pins checks that the load-test and heavy patrons, and only they, have
// PIN hashes, each with its own salt.
func (c *largeCheck) pins() {
	t := c.t
	rows, err := rawPool(c.db).Query(`SELECT pin_hash FROM patrons WHERE pin_hash IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	salts := map[string]bool{}
	n := 0
	for rows.Next() {
		var hash string
		if err := rows.Scan(&hash); err != nil {
			t.Fatal(err)
		}
		n++
		// $argon2id$v=19$m=19456,t=2,p=1$SALT$KEY
		if f := strings.Split(hash, "$"); len(f) == 6 {
			salts[f[4]] = true
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := c.size.LoadPatrons + len(c.size.Heavy); n != want || len(salts) != want {
		t.Errorf("%d PIN hashes with %d different salts; want %d of each", n, len(salts), want)
	}
	if got := queryInt(t, c.db, `SELECT COUNT(*) FROM patrons WHERE pin_kind = 'chosen'`); got != n {
		t.Errorf("%d patrons have chosen PINs and %d hashes", got, n)
	}
}

// signIn signs in through the domain as the load tool would: the first
// and last load-test patron and a heavy one with LoadPIN, a patron on the
// barcode preset with the barcode; not a load-test patron with a wrong PIN,
// nor a card holder.
func (c *largeCheck) signIn(rep demo.Report) {
	t, ctx := c.t, context.Background()
	heavy := rep.Heavy[len(rep.Heavy)-1]
	for _, barcode := range []string{rep.LoadBarcodes[0], rep.LoadBarcodes[1], heavy.Barcode} {
		in, err := c.svc.SignIn(ctx, barcode, demo.LoadPIN, "192.0.2.1")
		if err != nil {
			t.Errorf("sign-in of %s with the load-test PIN: %v", barcode, err)
			continue
		}
		if in.Patron.PIN.MustChange() {
			t.Errorf("%s must change the PIN before seeing the borrowing record", barcode)
		}
	}
	rec, err := c.svc.RecordByBarcode(ctx, heavy.Barcode)
	if err != nil || len(rec.Loans) != heavy.Loans {
		t.Errorf("the borrowing record of %s shows %d loans (%v), want %d", heavy.Barcode, len(rec.Loans), err, heavy.Loans)
	}
	var preset, holder string
	pool := rawPool(c.db)
	if err := pool.QueryRow(`SELECT MIN(barcode) FROM patrons WHERE pin_kind = 'preset'`).Scan(&preset); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(`SELECT MIN(barcode) FROM patrons WHERE registered_on IS NULL`).Scan(&holder); err != nil {
		t.Fatal(err)
	}
	if in, err := c.svc.SignIn(ctx, preset, preset, "192.0.2.1"); err != nil || !in.Patron.PIN.MustChange() {
		t.Errorf("sign-in of %s on the barcode preset: %v; want a session that must change the PIN", preset, err)
	}
	for _, try := range [][2]string{{rep.LoadBarcodes[0], "not-the-load-pin"}, {holder, demo.LoadPIN}, {holder, holder}} {
		if _, err := c.svc.SignIn(ctx, try[0], try[1], "192.0.2.1"); !errors.Is(err, library.ErrSignInFailed) {
			t.Errorf("sign-in of %s with a PIN that is not its own: %v; want ErrSignInFailed", try[0], err)
		}
	}
}

// circulation returns one of a heavy patron's items and lends it to
// another patron, through the domain: the rows written later fit with the
// generated ones.
func (c *largeCheck) circulation(rep demo.Report) {
	t, ctx := c.t, context.Background()
	from, to := rep.Heavy[1], rep.Heavy[0]
	rec, err := c.svc.RecordByBarcode(ctx, from.Barcode)
	if err != nil || len(rec.Loans) == 0 {
		t.Fatalf("the record of %s: %v, %d loans", from.Barcode, err, len(rec.Loans))
	}
	item := rec.Loans[0].Loan.Item.Barcode
	if _, err := c.svc.Checkin(ctx, item, "test"); err != nil {
		t.Fatalf("check-in of %s: %v", item, err)
	}
	l, err := c.svc.Checkout(ctx, to.Barcode, item, "test")
	if err != nil {
		t.Fatalf("check-out of %s to %s: %v", item, to.Barcode, err)
	}
	if last := int64(c.size.ReturnedLoans + c.size.OpenLoans); l.ID <= last {
		t.Errorf("the new loan has id %d, one of the generated loans' (1 to %d)", l.ID, last)
	}
}

// snapshotLarge writes out a generated library's patrons, items and loans
// (but the PIN hashes, whose salts are random, and when rows were
// written), the same way whatever the database.
func snapshotLarge(t *testing.T, svc *library.Service, db *storage.DB) string {
	t.Helper()
	var b strings.Builder
	err := svc.Store().View(context.Background(), func(tx library.Tx) error {
		if err := tx.EachPatron(func(p library.Patron) error {
			fmt.Fprintln(&b, p.ID, p.Barcode, p.Category, p.Name, p.Email, p.RegisteredOn, p.ExpiresOn, p.PIN.Kind, p.PIN.SetAt.UTC())
			return nil
		}); err != nil {
			return err
		}
		return tx.EachItem(func(it library.Item) error {
			fmt.Fprintln(&b, it)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := rawPool(db).Query(`SELECT id, patron_id, item_id, checked_out_at, due_at, renewals, returned_at FROM loans ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	vals := make([]any, 7)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			switch v := v.(type) {
			case time.Time:
				// PostgreSQL's timestamptz, written as SQLite stores it.
				b.WriteString(v.UTC().Format("2006-01-02T15:04:05.000000Z"))
			case []byte:
				b.Write(v)
			default:
				fmt.Fprint(&b, v)
			}
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
