package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/pgtest"
)

// The desk's searches through the trigram index (migration 0006) give what
// the LIKE alone gave, and the databases use the index to give it.

// searchPatrons and searchItems are the desk's test library: names, titles
// and call numbers with upper and lower case, Chinese, LIKE's wildcards
// and escape character, a double quote, and rows that hold every
// three-character piece of a search in the wrong order ("Hanoi Chalet"
// for "chan"), which the index finds and the LIKE must leave out.
var searchPatrons = []library.Patron{
	{Barcode: "20240001", Name: "Chan Tai Man", Email: "tm.chan@example.edu.hk"},
	{Barcode: "20240002", Name: "CHAN 50% Off", Email: "fifty@example.edu.hk"},
	{Barcode: "20240003", Name: "Wong_Ka Yan", Email: "CHAN.wk@example.edu.hk"},
	{Barcode: "20240004", Name: `Back\slash`},
	{Barcode: "20240005", Name: "陳大文", Email: "dm.chan@example.edu.hk"},
	{Barcode: "20240006", Name: "李小龍"},
	{Barcode: "20240007", Name: "Émile Zola", Email: "EMILE@example.edu.hk"},
	{Barcode: "20240008", Name: `Say "Hi" Lee`},
	{Barcode: "20240009", Name: "Hanoi Chalet"},
	{Barcode: "MANCHAN1", Name: "Lee Ka Ho"}, // found by "manchan1" first, by barcode
}

var searchItems = []library.Item{
	{Barcode: "B0001", Title: "Hong Kong Cinema", Author: "Teo, Stephen", CallNumber: "PN1993.5 .H6"},
	{Barcode: "B0002", Title: "Cantonese: A Comprehensive Grammar", Author: "Matthews, Stephen", CallNumber: "PL1736 .M38"},
	{Barcode: "B0003", Title: "粵語語法新論", Author: "潘子健", CallNumber: "PL1736 .P35"},
	{Barcode: "B0004", Title: "100% Hong Kong", Author: "Lee_Wai", CallNumber: `QA76\9`},
	{Barcode: "B0005", Title: "Hanoi Chalet", Author: "Nguyen", CallNumber: "DS559"},
	{Barcode: "B0006", Title: "hong kong cinema", Author: "teo, stephen", CallNumber: "PN1993.5 .H6 c.2"},
}

// fillSearchLibrary stores the test library, and a thousand more patrons
// and items that share pieces of its words, and returns the test
// library's patrons and items as stored. On SQLite the thousandth new row
// brings the index up to date: the test library is in the index, and the
// last few rows are above its highest id, still waiting.
func fillSearchLibrary(t *testing.T, db *DB) ([]library.Patron, []library.Item) {
	t.Helper()
	patrons, items := slices.Clone(searchPatrons), slices.Clone(searchItems)
	err := db.Update(context.Background(), func(tx library.Tx) error {
		for i := range patrons {
			patrons[i].Category, patrons[i].PIN.Kind = "student", library.PINNone
			if err := tx.CreatePatron(&patrons[i]); err != nil {
				return err
			}
		}
		for i := range items {
			if err := tx.CreateItem(&items[i]); err != nil {
				return err
			}
		}
		for i := range 1000 {
			p := library.Patron{Barcode: fmt.Sprintf("2025%04d", i), Category: "student", PIN: library.PINRecord{Kind: library.PINNone},
				Name: fmt.Sprintf("Cheng Ming %d", i), Email: fmt.Sprintf("han%d@cha.example", i)}
			if err := tx.CreatePatron(&p); err != nil {
				return err
			}
			it := library.Item{Barcode: fmt.Sprintf("C%04d", i), Title: fmt.Sprintf("Kowloon Chronicle %d", i),
				Author: "Cheung, Han", CallNumber: fmt.Sprintf("DS796.H7 C%d", i)}
			if err := tx.CreateItem(&it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return patrons, items
}

func TestDeskSearchIndex(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		stored, storedItems := fillSearchLibrary(t, db)
		sqlite := db.d == sqliteDialect

		patrons := map[string][]string{
			"chan":     {"20240002", "20240001", "20240003", "20240005"}, // by name, then the email matches
			"CHAN":     {"20240002", "20240001", "20240003", "20240005"},
			"tai man":  {"20240001"},
			"大文":       {"20240005"}, // two of three characters
			"陳大":       {"20240005"},
			"陳大文":      {"20240005"},
			"小":        {"20240006"},
			"50%":      {"20240002"},
			"0% o":     {"20240002"},
			"%":        {"20240002"},
			"_":        {"20240003"},
			"g_k":      {"20240003"},
			"n_k":      nil,
			`\`:        {"20240004"},
			`k\s`:      {"20240004"},
			`"hi"`:     {"20240008"},
			"manchan1": {"MANCHAN1"},
			"zzz":      nil,
			"zz":       nil,
		}
		// SQLite's lower() leaves É as it is, PostgreSQL's does not: the
		// index, which folds it, must not change that on either.
		patrons["ÉMILE ZOLA"] = []string{"20240007"}
		if sqlite {
			patrons["ÉMILE ZOLA"] = nil
		}
		for text, want := range patrons {
			if got := barcodesOf(searchPatronsPage(t, db, text, 10, 0)); !reflect.DeepEqual(got, want) {
				t.Errorf("patrons %q = %v, want %v", text, got, want)
			}
		}
		items := map[string][]string{
			"stephen":   {"B0002", "B0001", "B0006"}, // by title: upper case before lower
			"STEPHEN":   {"B0002", "B0001", "B0006"},
			"cinema":    {"B0001", "B0006"},
			"pl1736":    {"B0002", "B0003"},
			"h6 c.2":    {"B0006"},
			"語法":        {"B0003"},
			"潘子":        {"B0003"},
			"100%":      {"B0004"},
			"e_w":       {"B0004"},
			`6\9`:       {"B0004"},
			"chalet":    {"B0005"},
			"chan":      nil,
			"b0004":     {"B0004"},
			"hong kong": {"B0004", "B0001", "B0006"},
		}
		for text, want := range items {
			if got := barcodesOf(searchItemsPage(t, db, text, 10, 0)); !reflect.DeepEqual(got, want) {
				t.Errorf("items %q = %v, want %v", text, got, want)
			}
		}
		if sqlite {
			for table, want := range map[string]int{"patrons": 1000, "items": 1000} {
				if got := countRows(t, db, `SELECT max(id) FROM `+table+`_search_docsize`); got != want {
					t.Errorf("the highest id in the index of %s is %d, want %d", table, got, want)
				}
			}
		}
		sameAsScan(t, db)
		searchPlans(t, db)
		searchIndexWhole(t, db)

		// What is changed is found by its new text, not by its old.
		ctx := context.Background()
		err := db.Update(ctx, func(ltx library.Tx) error {
			p, it := stored[0], storedItems[1]
			p.Name, it.Title = "Ho Siu Ming", "Mandarin: A Reference Grammar"
			if err := ltx.UpdatePatron(p); err != nil {
				return err
			}
			if err := ltx.UpdateItem(it); err != nil {
				return err
			}
			for _, change := range []string{
				`DELETE FROM patrons WHERE barcode = '20240006'`,
				`DELETE FROM items WHERE barcode = 'B0005'`,
				// An id below the index's highest, given by hand.
				`INSERT INTO items (id, barcode, title) VALUES (5, 'B0105', 'Explicit Id Atlas')`,
				// The row of the index's highest id, changed and taken out.
				`UPDATE patrons SET name = 'Top Row Renamed' WHERE id = 1000`,
				`DELETE FROM items WHERE id = 1000`,
			} {
				if _, err := ltx.(*tx).exec(change); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for text, want := range map[string][]string{"tai man": nil, "siu ming": {"20240001"}, "李小龍": nil, "小": nil,
			"top row": {"20250989"}, "cheng ming 989": nil} {
			if got := barcodesOf(searchPatronsPage(t, db, text, 10, 0)); !reflect.DeepEqual(got, want) {
				t.Errorf("after the changes, patrons %q = %v, want %v", text, got, want)
			}
		}
		for text, want := range map[string][]string{"cantonese": nil, "mandarin": {"B0002"}, "reference gram": {"B0002"}, "chalet": nil,
			"explicit id": {"B0105"}, "chronicle 993": nil} {
			if got := barcodesOf(searchItemsPage(t, db, text, 10, 0)); !reflect.DeepEqual(got, want) {
				t.Errorf("after the changes, items %q = %v, want %v", text, got, want)
			}
		}
		if sqlite {
			// The LIKE would hide a row the index still held: ask the index.
			for table, match := range map[string]string{
				"patrons_search": `"tai" AND "man"`, "items_search": `"can" AND "ton" AND "ese"`,
			} {
				if n := countRows(t, db, `SELECT COUNT(*) FROM `+table+` WHERE `+table+` MATCH $1`, match); n != 0 {
					t.Errorf("%s still finds %d rows by their old text", table, n)
				}
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM items_search WHERE items_search MATCH '"cha" AND "let"'`); n != 0 {
				t.Errorf("items_search still finds %d deleted items", n)
			}
		}
		sameAsScan(t, db)
		searchIndexWhole(t, db)
	})
}

// searchIndexWhole checks, on SQLite, that every patron and item at or
// below the highest id in its index is in the index, and that the index
// holds nothing else: what search.go relies on.
func searchIndexWhole(t *testing.T, db *DB) {
	t.Helper()
	if db.d != sqliteDialect {
		return
	}
	for _, ix := range searchIndexes() {
		missing := countRows(t, db, `SELECT COUNT(*) FROM `+ix.table+` WHERE id <= (SELECT coalesce(max(id), 0) FROM `+ix.name+`_docsize)
AND id NOT IN (SELECT id FROM `+ix.name+`_docsize)`)
		extra := countRows(t, db, `SELECT COUNT(*) FROM `+ix.name+`_docsize WHERE id NOT IN (SELECT id FROM `+ix.table+`)`)
		if missing != 0 || extra != 0 {
			t.Errorf("%s: %d rows missing from the index below its highest id, %d rows in it that are not in %s", ix.name, missing, extra, ix.table)
		}
	}
}

// sameAsScan checks that searches through the index give what the LIKE
// alone gives, reading every row, page by page: on SQLite without the
// full-text table, on PostgreSQL with its planner kept from any index.
func sameAsScan(t *testing.T, db *DB) {
	t.Helper()
	texts := []string{"chan", "CHAN", "han", "an ", "ing", "cheng ming 1", "ming 99", "chronicle 99", "@cha", "example", "hong kong",
		"stephen", "ong", "pl1736", "語法", "陳大文", "大文", "%", "_", `\`, "0% ", `"`, `"hi"`, "ÉMILE", "émile", "c1", "h7 c"}
	err := db.View(context.Background(), func(ltx library.Tx) error {
		t2 := ltx.(*tx)
		if err := planBy(t2, true); err != nil {
			return err
		}
		for _, text := range texts {
			for _, page := range [][2]int{{10, 0}, {3, 0}, {3, 3}, {7, 20}, {200, 0}} {
				pq := library.PatronQuery{Text: text, Limit: page[0], Offset: page[1]}
				got, err := t2.SearchPatrons(pq)
				if err != nil {
					return err
				}
				iq := library.ItemQuery{Text: text, Limit: page[0], Offset: page[1]}
				gotItems, err := t2.SearchItems(iq)
				if err != nil {
					return err
				}
				if err := planBy(t2, false); err != nil {
					return err
				}
				query, args := searchPatronsSQL(pq, "")
				want, err := queryAll(t2, query, scanPatron, "scan patrons", args...)
				if err != nil {
					return err
				}
				query, args = searchItemsSQL(iq, "")
				wantItems, err := queryAll(t2, query, scanItemStatus, "scan items", args...)
				if err != nil {
					return err
				}
				if err := planBy(t2, true); err != nil {
					return err
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("patrons %q, page %v: %v through the index, %v by reading every row", text, page, barcodesOf(got), barcodesOf(want))
				}
				if !reflect.DeepEqual(gotItems, wantItems) {
					t.Errorf("items %q, page %v: %v through the index, %v by reading every row", text, page, barcodesOf(gotItems), barcodesOf(wantItems))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// planBy tells PostgreSQL's planner, for the rest of the transaction, to
// read the tables through the trigram indexes where it can (bitmap index
// scans only, no reading of whole tables or of whole B-tree indexes), or
// to read every row (no index).
func planBy(t *tx, indexes bool) error {
	if t.d == sqliteDialect {
		return nil
	}
	seq, bitmap := "on", "off"
	if indexes {
		seq, bitmap = "off", "on"
	}
	for _, set := range []string{"enable_seqscan = " + seq, "enable_bitmapscan = " + bitmap, "enable_indexscan = off"} {
		if _, err := t.exec(`SET LOCAL ` + set); err != nil {
			return err
		}
	}
	return nil
}

// searchPlans checks that the database looks a search of three
// characters or more up in the trigram index rather than reading every
// row. PostgreSQL reads a table this small whole whatever its indexes, so
// it is told to read whole tables only when nothing else answers.
func searchPlans(t *testing.T, db *DB) {
	t.Helper()
	err := db.View(context.Background(), func(ltx library.Tx) error {
		t2 := ltx.(*tx)
		sqlite := t2.d == sqliteDialect
		explain := "EXPLAIN "
		if sqlite {
			explain = "EXPLAIN QUERY PLAN "
		}
		if err := planBy(t2, true); err != nil {
			return err
		}
		plan := func(query string, args []any) string {
			rows, err := t2.query(explain+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			var lines []string
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
			}
			return strings.Join(lines, "\n")
		}
		query, args := searchPatronsSQL(library.PatronQuery{Text: "Chan Tai", Limit: 21}, t2.searchMatch("Chan Tai"))
		pp := plan(query, args)
		query, args = searchItemsSQL(library.ItemQuery{Text: "Stephen", Limit: 21}, t2.searchMatch("Stephen"))
		ip := plan(query, args)
		want := map[string][]string{
			"patrons": {"patrons_name_search", "patrons_email_search"},
			"items":   {"items_title_search", "items_author_search", "items_call_number_search"},
		}
		if sqlite {
			want = map[string][]string{
				"patrons": {"SCAN patrons_search VIRTUAL TABLE", "USING INTEGER PRIMARY KEY"},
				"items":   {"SCAN items_search VIRTUAL TABLE", "SEARCH i USING INTEGER PRIMARY KEY"},
			}
		}
		// What a plan says when it reads every row of the table.
		whole := map[string]string{"patrons": "Seq Scan on patrons", "items": "Seq Scan on items"}
		if sqlite {
			whole = map[string]string{"patrons": "\nSCAN patrons\n", "items": "\nSCAN i\n"}
		}
		for what, p := range map[string]string{"patrons": pp, "items": ip} {
			for _, w := range want[what] {
				if !strings.Contains(p, w) {
					t.Errorf("the plan of a search of %s does not say %q:\n%s", what, w, p)
				}
			}
			if strings.Contains("\n"+p+"\n", whole[what]) {
				t.Errorf("the plan of a search of %s reads every row:\n%s", what, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fillSearchLibraryOldSchema is fillSearchLibrary for a database at
// migration 0005: its patrons are written with the columns that schema
// has, since CreatePatron writes the columns of the newest one.
func fillSearchLibraryOldSchema(t *testing.T, db *DB) {
	t.Helper()
	err := db.Update(context.Background(), func(ltx library.Tx) error {
		t := ltx.(*tx)
		add := func(p library.Patron) error {
			_, err := t.exec(`INSERT INTO patrons (barcode, category, name, email, pin_kind, created_at, updated_at)
VALUES ($1, 'student', $2, $3, 'none', $4, $4)`, p.Barcode, p.Name, p.Email, timeArg(time.Now()))
			return err
		}
		for _, p := range searchPatrons {
			if err := add(p); err != nil {
				return err
			}
		}
		for _, it := range searchItems {
			if err := t.CreateItem(&it); err != nil {
				return err
			}
		}
		for i := range 1000 {
			if err := add(library.Patron{Barcode: fmt.Sprintf("2025%04d", i), Name: fmt.Sprintf("Cheng Ming %d", i),
				Email: fmt.Sprintf("han%d@cha.example", i)}); err != nil {
				return err
			}
			it := library.Item{Barcode: fmt.Sprintf("C%04d", i), Title: fmt.Sprintf("Kowloon Chronicle %d", i),
				Author: "Cheung, Han", CallNumber: fmt.Sprintf("DS796.H7 C%d", i)}
			if err := t.CreateItem(&it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSearchIndexFilledByMigration checks that migration 0006 indexes the
// patrons and items a library already has.
func TestSearchIndexFilledByMigration(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		all := db.migrations
		db.migrations = all[:5]
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		fillSearchLibraryOldSchema(t, db)
		db.migrations = all
		if n, err := db.Migrate(ctx); err != nil || n != len(all)-5 {
			t.Fatalf("Migrate = %d, %v; want %d, nil", n, err, len(all)-5)
		}
		for text, want := range map[string][]string{"tai man": {"20240001"}, "chalet": {"20240009"}} {
			if got := barcodesOf(searchPatronsPage(t, db, text, 10, 0)); !reflect.DeepEqual(got, want) {
				t.Errorf("patrons %q = %v, want %v", text, got, want)
			}
		}
		if got := barcodesOf(searchItemsPage(t, db, "stephen", 10, 0)); !reflect.DeepEqual(got, []string{"B0002", "B0001", "B0006"}) {
			t.Errorf("items stephen = %v", got)
		}
		sameAsScan(t, db)
	})
}

func searchPatronsPage(t *testing.T, db *DB, text string, limit, offset int) (found []library.Patron) {
	t.Helper()
	err := db.View(context.Background(), func(tx library.Tx) (err error) {
		found, err = tx.SearchPatrons(library.PatronQuery{Text: text, Limit: limit, Offset: offset})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func searchItemsPage(t *testing.T, db *DB, text string, limit, offset int) (found []library.ItemStatus) {
	t.Helper()
	err := db.View(context.Background(), func(tx library.Tx) (err error) {
		found, err = tx.SearchItems(library.ItemQuery{Text: text, Limit: limit, Offset: offset})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// barcodesOf returns the barcodes of patrons or items found, in order.
func barcodesOf[T library.Patron | library.ItemStatus](found []T) []string {
	var out []string
	for _, f := range found {
		switch f := any(f).(type) {
		case library.Patron:
			out = append(out, f.Barcode)
		case library.ItemStatus:
			out = append(out, f.Item.Barcode)
		}
	}
	return out
}

func countRows(t *testing.T, db *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.read.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSearchAfterBulkLoad checks that a bulk load, which builds the search
// index after its rows rather than row by row, leaves the index whole and
// kept in step again: the rows loaded are found, and so are later changes,
// and the database has the index it has fresh from its migrations.
func TestSearchAfterBulkLoad(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		err := db.BulkLoad(ctx, func(b *Bulk) error {
			if err := b.Patrons(len(searchPatrons), func(i int) library.Patron {
				p := searchPatrons[i]
				p.ID, p.Category, p.PIN.Kind = int64(i+1), "student", library.PINNone
				return p
			}); err != nil {
				return err
			}
			return b.Items(len(searchItems), func(i int) library.Item {
				it := searchItems[i]
				it.ID = int64(i + 1)
				return it
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := barcodesOf(searchPatronsPage(t, db, "chan", 10, 0)); !reflect.DeepEqual(got, []string{"20240002", "20240001", "20240003", "20240005"}) {
			t.Errorf("patrons chan after a bulk load = %v", got)
		}
		if got := barcodesOf(searchItemsPage(t, db, "stephen", 10, 0)); !reflect.DeepEqual(got, []string{"B0002", "B0001", "B0006"}) {
			t.Errorf("items stephen after a bulk load = %v", got)
		}
		err = db.Update(ctx, func(tx library.Tx) error {
			it := library.Item{Barcode: "B0100", Title: "Zebra Crossings of Kowloon"}
			return tx.CreateItem(&it)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := barcodesOf(searchItemsPage(t, db, "zebra cro", 10, 0)); !reflect.DeepEqual(got, []string{"B0100"}) {
			t.Errorf("an item added after a bulk load: found %v", got)
		}
		fresh := openTarget(t, filepath.Join(t.TempDir(), "fresh.db"))
		if db.d != sqliteDialect {
			fresh = openTarget(t, pgtest.URL(t))
		}
		if _, err := fresh.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := searchIndexObjects(t, db), searchIndexObjects(t, fresh); !reflect.DeepEqual(got, want) || len(want) == 0 {
			t.Errorf("after a bulk load the search index is %v, fresh from the migrations %v", got, want)
		}
		sameAsScan(t, db)
	})
}

// searchIndexObjects lists the definitions of what makes up the search
// index: SQLite's full-text tables and their triggers, PostgreSQL's
// trigram indexes.
func searchIndexObjects(t *testing.T, db *DB) []string {
	t.Helper()
	query := `SELECT sql FROM sqlite_master WHERE name LIKE '%\_search%' ESCAPE '\' AND sql IS NOT NULL ORDER BY name`
	if db.d != sqliteDialect {
		query = `SELECT replace(indexdef, current_schema() || '.', '') FROM pg_indexes
WHERE schemaname = current_schema() AND indexname LIKE '%\_search' ESCAPE '\' ORDER BY indexname`
	}
	rows, err := db.read.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var defs []string
	for rows.Next() {
		var def string
		if err := rows.Scan(&def); err != nil {
			t.Fatal(err)
		}
		defs = append(defs, def)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return defs
}
