package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/metrics"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/web"
)

// walkFixture is a library for the walks over every registered route:
// two patrons with loans, a hold, a fine and a session each, an item on
// the shelf, and a client for every kind of visitor. Patron A is the
// one signed in on patronA; B is the other patron, whose things A must
// not reach and whom the staff actions are aimed at.
type walkFixture struct {
	l        *testLibrary
	patterns []string          // every pattern the server registers
	access   map[string]string // staff pattern → its access
	a, b     library.Patron
	aLoan    library.Loan      // A's, held by B
	aFree    library.Loan      // A's, renewable
	bLoan    library.Loan      // B's
	bHold    library.Hold      // B's hold on A's loan's item
	bPaid    library.FineEntry // a payment of B's, whose receipt the desk prints
	shelf    library.Item

	anonymous, patronA, patronB, desk, admin *client
	totp                                     string // the secret of "tia", a desk account with two-factor codes
}

// The fixture's patrons' PINs.
const (
	pinA = "reading-room-7"
	pinB = "harbour-lights-1997"
)

func newWalkFixture(t *testing.T) *walkFixture {
	t.Helper()
	l := newLibraryWith(t, nil, web.Options{Metrics: metrics.New()})
	// The same server, not opened: only its list of routes is read.
	srv, err := web.New(l.svc, web.Options{Metrics: metrics.New()})
	if err != nil {
		t.Fatal(err)
	}
	f := &walkFixture{l: l, patterns: srv.Patterns(), access: map[string]string{}, totp: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}
	for _, rt := range web.StaffRoutes() {
		f.access[rt.Pattern] = rt.Access
	}
	ada := l.staff("ada", library.RoleAdmin)
	dee := l.staff("dee", library.RoleDesk)
	l.staff("eve", library.RoleAdmin)
	tia := l.staff("tia", library.RoleDesk)
	l.setTOTP(tia.ID, f.totp)

	f.a = l.patron("24031588", "Wong Ka Yan", nil)
	l.chosenPIN(f.a, pinA)
	f.b = l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(f.b, pinB)
	f.aLoan = l.loan(f.a, "30000001", "Introduction to Algorithms", today.AddDays(-10), today.AddDays(4), 0)
	f.aFree = l.loan(f.a, "30000002", "The Art of Computer Programming", today.AddDays(-12), today.AddDays(2), 0)
	f.bLoan = l.loan(f.b, "30000009", "Structure and Interpretation of Computer Programs", today.AddDays(-20), today.AddDays(-2), 0)
	f.shelf = l.item("30000005", "A Pattern Language")
	f.bHold, err = l.svc.PlaceHold(l.ctx, library.CommandLine, f.b.ID, f.aLoan.Item.Barcode)
	if err != nil {
		t.Fatal(err)
	}
	l.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: f.b.ID, Kind: library.FineCharge, Amount: 1250, Note: "lost bookmark", CreatedAt: l.now})
	})
	paid, err := l.svc.SettleFine(l.ctx, dee.Actor("127.0.0.1"), library.FineRequest{PatronID: f.b.ID, Kind: library.FinePayment,
		Amount: 250, Method: library.PayCash})
	if err != nil {
		t.Fatal(err)
	}
	f.bPaid = paid.Entry

	f.anonymous = l.client()
	f.patronA = l.client()
	f.patronA.mustSignIn(f.a.Barcode, pinA, "/account")
	f.patronB = l.client()
	f.patronB.mustSignIn(f.b.Barcode, pinB, "/account")
	f.desk = l.staffClient(dee)
	f.admin = l.staffClient(ada)
	return f
}

// pending returns a new client whose staff sign-in awaits its two-factor
// code: a session of the kind the "pending" routes take. Each call signs
// in afresh, since such a session lasts only minutes.
func (f *walkFixture) pending() *client {
	f.l.t.Helper()
	c := f.l.client()
	c.mustStaffSignInCode(f.l.t, "tia", deskPassword)
	return c
}

// enrolling returns a new client whose staff sign-in must set up
// two-factor codes before it reaches the desk: an admin's, while the
// library requires codes of admins. The requirement is on only for this
// sign-in, so that the walk's admin "ada" needs no codes.
func (f *walkFixture) enrolling() *client {
	f.l.t.Helper()
	c := f.l.client()
	f.l.cfg.Staff.RequireTOTPForAdmins = true
	res := c.staffSignIn("eve", adminPassword)
	f.l.cfg.Staff.RequireTOTPForAdmins = false
	if res.status != http.StatusSeeOther || res.location() != "/staff/login/enrol" {
		f.l.t.Fatalf("sign in as eve: %d to %q", res.status, res.location())
	}
	return c
}

// idOf is an id as a path or form has it.
func idOf(n int64) string { return strconv.FormatInt(n, 10) }

// missingID is an id no row of any table has.
const missingID = "987654"

// wildcard matches a path wildcard of a pattern.
var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// methodPath splits a pattern into its method and path; a pattern without
// a method answers every method, and is returned with method "".
func methodPath(pattern string) (method, path string) {
	if m, p, ok := strings.Cut(pattern, " "); ok {
		return m, p
	}
	return "", pattern
}

// path fills a pattern's wildcards with the ids of the fixture's things,
// the other patron's where it names a patron, so that each request reaches
// real data. ok is false for a wildcard the fixture has nothing for.
func (f *walkFixture) path(pattern string) (path string, ok bool) {
	_, p := methodPath(pattern)
	if p == "/{$}" {
		return "/", true
	}
	if p == "/" {
		return "/nowhere", true // the catch-all: any path no route claims
	}
	ok = true
	p = wildcard.ReplaceAllStringFunc(p, func(w string) string {
		switch {
		case w == "{id}" && strings.HasPrefix(p, "/staff/patrons/"):
			return idOf(f.b.ID)
		case w == "{id}" && strings.HasPrefix(p, "/staff/items/"):
			return idOf(f.aLoan.Item.ID)
		case w == "{id}" && strings.HasPrefix(p, "/staff/holds/"):
			return idOf(f.bHold.ID)
		case w == "{id}" && strings.HasPrefix(p, "/staff/receipts/"):
			return idOf(f.bPaid.ID)
		case w == "{file}" && strings.HasPrefix(p, "/static/"):
			return f.stylesheet()
		}
		ok = false
		return w
	})
	return p, ok
}

var stylesheet = regexp.MustCompile(`href="/static/(carrel\.[0-9a-f]{12}\.css)"`)

// stylesheet is the file name of the site's stylesheet, as pages link it.
func (f *walkFixture) stylesheet() string {
	f.l.t.Helper()
	m := stylesheet.FindStringSubmatch(f.anonymous.get("/account/login").body)
	if m == nil {
		f.l.t.Fatal("no stylesheet link on the sign-in page")
	}
	return m[1]
}

// tick moves the clock on by a little more than the interval at which a
// session records that it was used, so that each walk's requests do touch
// their sessions (last_seen_at), as requests some time apart would.
func (f *walkFixture) tick() { f.l.now = f.l.now.Add(31 * time.Second) }

// sessionBookkeeping are the only columns a request may change without
// changing anything: the time a session was last used, which every request
// with a session updates (at most every 30 seconds) to run its idle
// timeout. It is the session's own record of being used, and holds nothing
// of what the request asked for.
var sessionBookkeeping = []string{"sessions.last_seen_at", "staff_sessions.last_seen_at"}

// snapshot is every row of every table of the database, each row as text.
type snapshot map[string][]string

// snapshot reads every table of the library's database, all in one read
// transaction, leaving out the given table.column names. It reads the
// database's own list of tables, which TestCopyTablesMatchMigrations keeps
// equal to internal/storage/tables.go, so a table added later is in it.
func (f *walkFixture) snapshot(skip ...string) snapshot {
	t := f.l.t
	t.Helper()
	db, ok := f.l.svc.Store().(*storage.DB)
	if !ok {
		t.Fatalf("the library's store is a %T, not a storage.DB", f.l.svc.Store())
	}
	pools := db.Pools()
	pool, list := pools["read"], `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	if db.Dialect() == "postgres" {
		pool, list = pools["postgres"], `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	ctx := context.Background()
	tx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var tables []string
	rows, err := tx.QueryContext(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("only %d tables in the database: %v", len(tables), tables)
	}
	s := snapshot{}
	for _, table := range tables {
		s[table] = dumpTable(t, tx, table, skip)
	}
	return s
}

// dumpTable reads a table's rows as sorted lines of column=value.
func dumpTable(t *testing.T, tx *sql.Tx, table string, skip []string) []string {
	t.Helper()
	rows, err := tx.Query(`SELECT * FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, c := range cols {
			if slices.Contains(skip, table+"."+c) {
				continue
			}
			switch v := vals[i].(type) {
			case []byte:
				fmt.Fprintf(&b, "%s=%x ", c, v)
			case nil:
				fmt.Fprintf(&b, "%s=NULL ", c)
			default:
				fmt.Fprintf(&b, "%s=%v ", c, v)
			}
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// diff describes how after differs from s, table by table: rows gone
// (-) and rows new (+). It is empty when nothing changed.
func (s snapshot) diff(after snapshot) string {
	var b strings.Builder
	var tables []string
	for t := range s {
		tables = append(tables, t)
	}
	for t := range after {
		if _, ok := s[t]; !ok {
			tables = append(tables, t)
		}
	}
	slices.Sort(tables)
	for _, t := range tables {
		for _, r := range s[t] {
			if !slices.Contains(after[t], r) {
				fmt.Fprintf(&b, "\n  %s - %s", t, r)
			}
		}
		for _, r := range after[t] {
			if !slices.Contains(s[t], r) {
				fmt.Fprintf(&b, "\n  %s + %s", t, r)
			}
		}
	}
	return b.String()
}

// sameSite are the headers a browser sends with a form of this site.
func (f *walkFixture) sameSite() http.Header {
	return http.Header{"Origin": {f.l.url}, "Sec-Fetch-Site": {"same-origin"}}
}
