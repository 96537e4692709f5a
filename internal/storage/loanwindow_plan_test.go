package storage

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// TestLoanWindowPlan proves that on SQLite a page of a borrowing record
// reads its patron's open loans from the index alone (a covering index:
// no lookup in the loans table for each loan), and joins only the page's
// loans to their rows and items, by primary key: so the last page of a
// patron with 1,000 loans costs no more as the library grows.
func TestLoanWindowPlan(t *testing.T) {
	db := openTarget(t, filepath.Join(t.TempDir(), "plan.db"))
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	err := db.View(context.Background(), func(ltx library.Tx) error {
		t2 := ltx.(*tx)
		plan := func(query string, args ...any) string {
			rows, err := t2.query("EXPLAIN QUERY PLAN "+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var lines []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				lines = append(lines, detail)
			}
			return strings.Join(lines, "\n")
		}
		for name, q := range map[string]string{
			"count":     `SELECT COUNT(*) FROM loans WHERE patron_id = $1 AND returned_at IS NULL`,
			"page":      loanWindowPageSQL,
			"due times": loanWindowDueSQL,
		} {
			args := []any{int64(7), 50, 950}
			if name == "due times" {
				args = []any{int64(7), timeBound(time.Now())}
			} else if name == "count" {
				args = args[:1]
			}
			p := plan(q, args...)
			if !strings.Contains(p, "SEARCH loans USING COVERING INDEX loans_open_by_patron") {
				t.Errorf("%s: the open loans are not read from the covering index:\n%s", name, p)
			}
			if name == "page" {
				for _, want := range []string{"SEARCH l USING INTEGER PRIMARY KEY", "SEARCH i USING INTEGER PRIMARY KEY"} {
					if !strings.Contains(p, want) {
						t.Errorf("page: no %q: the page's loans are not joined by key:\n%s", want, p)
					}
				}
				if strings.Contains(p, "SCAN l") || strings.Contains(p, "SCAN i") {
					t.Errorf("page: a table is read whole:\n%s", p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
