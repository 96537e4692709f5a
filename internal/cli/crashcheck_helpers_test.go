package cli_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/storage"
)

// checkCrashedLibrary opens the database the killed process left, as a
// restart does, and lists every problem: an acknowledged check-out or
// check-in that is not there, an item on loan twice, a loan half-written
// (without its patron, its audit entry or its desk request, or with
// impossible times), a patron over the loan limit, and on SQLite a file
// that fails its integrity or foreign key check. On success it records
// the open loans in lib for the next round.
func checkCrashedLibrary(t *testing.T, target string, lib *crashLibrary, plan *crashPlan) []string {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, target)
	if err != nil {
		return []string{fmt.Sprintf("open after the kill: %v", err)}
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return []string{fmt.Sprintf("schema after the kill: %v", err)}
	}
	pools := db.Pools()
	q := pools["write"]
	if q == nil {
		q = pools["postgres"]
	}
	c := &crashCheck{db: q}
	if db.Dialect() == "sqlite" {
		c.sqliteFile()
	}
	open := c.openLoans()
	c.times()
	c.auditTrail()
	c.deskRequests()

	allowed, wrong := plan.expectations()
	c.problems = append(c.problems, wrong...)
	for _, item := range lib.items {
		got := open[item]
		want, touched := allowed[item]
		if !touched {
			want = []string{lib.lent[item]}
		}
		if slices.Contains(want, got) {
			continue
		}
		switch {
		case got == "" && len(want) == 1:
			c.addf("item %s: acknowledged as lent to %s, but not on loan after the restart", item, want[0])
		case got == "":
			c.addf("item %s: not on loan after the restart; want one of %q", item, want)
		case slices.Equal(want, []string{""}):
			c.addf("item %s: acknowledged as returned, but on loan to %s after the restart", item, got)
		default:
			c.addf("item %s: on loan to %s after the restart; want one of %q", item, got, want)
		}
	}
	if len(c.problems) == 0 {
		lib.lent = open
	}
	return c.problems
}

// crashCheck runs the checks of one restart on the database.
type crashCheck struct {
	db       *sql.DB
	problems []string
}

func (c *crashCheck) addf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// rows runs a query and calls scan for each row.
func (c *crashCheck) rows(query string, scan func(*sql.Rows) error) {
	rows, err := c.db.Query(query)
	if err != nil {
		c.addf("%s: %v", query, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			c.addf("%s: %v", query, err)
			return
		}
	}
	if err := rows.Err(); err != nil {
		c.addf("%s: %v", query, err)
	}
}

// sqliteFile runs SQLite's own checks of the file: every page, index and
// foreign key.
func (c *crashCheck) sqliteFile() {
	var lines []string
	c.rows(`PRAGMA integrity_check`, func(r *sql.Rows) error {
		var s string
		err := r.Scan(&s)
		lines = append(lines, s)
		return err
	})
	if !slices.Equal(lines, []string{"ok"}) {
		c.addf("PRAGMA integrity_check: %q", lines)
	}
	c.rows(`PRAGMA foreign_key_check`, func(r *sql.Rows) error {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		err := r.Scan(&table, &rowid, &parent, &fk)
		c.addf("PRAGMA foreign_key_check: row %v of %s refers to a missing %s", rowid.Int64, table, parent)
		return err
	})
}

// openLoans returns each item on loan with its borrower, and notes an
// item on loan twice, an open loan without its patron, and a patron over
// the loan limit.
func (c *crashCheck) openLoans() map[string]string {
	open := map[string]string{}
	perPatron := map[string]int{}
	c.rows(`SELECT i.barcode, p.barcode FROM loans l JOIN items i ON i.id = l.item_id
LEFT JOIN patrons p ON p.id = l.patron_id WHERE l.returned_at IS NULL`, func(r *sql.Rows) error {
		var item string
		var patron sql.NullString
		if err := r.Scan(&item, &patron); err != nil {
			return err
		}
		if !patron.Valid {
			c.addf("item %s: an open loan without its patron", item)
		}
		if other, ok := open[item]; ok {
			c.addf("item %s: on loan twice, to %s and to %s", item, other, patron.String)
		}
		open[item] = patron.String
		perPatron[patron.String]++
		return nil
	})
	for p, n := range perPatron {
		if n > crashMaxLoans {
			c.addf("patron %s: %d open loans, over the limit of %d", p, n, crashMaxLoans)
		}
	}
	return open
}

// times notes loans whose times cannot be: due before lent, returned
// before lent, or returned and still linked to the patron (none of the
// test's patrons keeps a loan history).
func (c *crashCheck) times() {
	var n int
	err := c.db.QueryRow(`SELECT COUNT(*) FROM loans WHERE
(returned_at IS NULL AND due_at <= checked_out_at) OR
(returned_at IS NOT NULL AND (returned_at < checked_out_at OR patron_id IS NOT NULL))`).Scan(&n)
	if err != nil {
		c.addf("loan times: %v", err)
	} else if n > 0 {
		c.addf("%d loans with impossible times, or returned and still linked to the patron", n)
	}
}

// auditTrail notes an item whose loans and audit entries disagree: each
// check-out writes a loan and a loan.checkout entry in one transaction,
// each check-in returns the loan and writes a loan.checkin entry.
func (c *crashCheck) auditTrail() {
	type counts struct{ loans, returned, outs, ins int }
	byItem := map[string]*counts{}
	get := func(item string) *counts {
		if byItem[item] == nil {
			byItem[item] = &counts{}
		}
		return byItem[item]
	}
	c.rows(`SELECT i.barcode, COUNT(*), COUNT(l.returned_at) FROM loans l JOIN items i ON i.id = l.item_id GROUP BY i.barcode`,
		func(r *sql.Rows) error {
			var item string
			var loans, returned int
			err := r.Scan(&item, &loans, &returned)
			x := get(item)
			x.loans, x.returned = loans, returned
			return err
		})
	c.rows(`SELECT action, detail FROM audit_log WHERE action IN ('loan.checkout', 'loan.checkin')`, func(r *sql.Rows) error {
		var action, detail string
		if err := r.Scan(&action, &detail); err != nil {
			return err
		}
		f := strings.Fields(detail)
		if len(f) < 2 || f[0] != "item" {
			c.addf("audit entry %s without its item: %q", action, detail)
			return nil
		}
		if action == "loan.checkout" {
			get(f[1]).outs++
		} else {
			get(f[1]).ins++
		}
		return nil
	})
	for item, x := range byItem {
		if x.loans != x.outs || x.returned != x.ins {
			c.addf("item %s: %d loans (%d returned) but %d loan.checkout and %d loan.checkin audit entries",
				item, x.loans, x.returned, x.outs, x.ins)
		}
	}
}

// deskRequests notes a desk check-out whose request token and audit entry
// disagree: the desk claims the form's token in the check-out's own
// transaction, so each desk account has as many claimed check-out tokens
// as audited check-outs.
func (c *crashCheck) deskRequests() {
	tokens, audited := map[string]int{}, map[string]int{}
	count := func(m map[string]int) func(*sql.Rows) error {
		return func(r *sql.Rows) error {
			var actor string
			var n int
			err := r.Scan(&actor, &n)
			m[actor] = n
			return err
		}
	}
	c.rows(`SELECT actor, COUNT(*) FROM desk_requests WHERE action = 'loan.checkout' GROUP BY actor`, count(tokens))
	c.rows(`SELECT actor, COUNT(*) FROM audit_log WHERE action = 'loan.checkout' AND actor LIKE 'staff:%' GROUP BY actor`, count(audited))
	for actor := range audited {
		if _, ok := tokens[actor]; !ok {
			tokens[actor] = 0
		}
	}
	for actor, n := range tokens {
		if audited[actor] != n {
			c.addf("%s: %d check-out request tokens claimed but %d check-outs audited", actor, n, audited[actor])
		}
	}
}
