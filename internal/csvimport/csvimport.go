// Package csvimport brings patrons, items and current loans into Carrel from
// CSV files: the college's student and staff records, and the catalogue and
// loans of the system Carrel replaces.
//
// An import takes the whole file or nothing. Every row is checked first and
// every problem collected with its line and column; then all rows are
// written in one transaction, which is rolled back if anything is wrong, so
// staff fix the file and run it again rather than untangle half an import.
package csvimport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/carrel-library/carrel/internal/library"
)

// Kind is what a file holds.
type Kind string

// The kinds of file Carrel imports; their columns are in DESIGN section 5.
const (
	Patrons Kind = "patrons"
	Items   Kind = "items"
	Loans   Kind = "loans"
)

// Kinds returns the kinds of file, in the order the help text names them.
func Kinds() []Kind { return []Kind{Patrons, Items, Loans} }

// Summary counts what an import did.
type Summary struct {
	Kind      Kind
	Added     int // rows that created a patron, item or loan
	Updated   int // rows that changed an existing one
	Unchanged int // rows that matched what was stored already
	// NoHKID counts registered patrons under the HKID preset rule who are
	// left without a PIN because the file gave no HKID number: staff must
	// reset their PINs at the desk.
	NoHKID int
	// NoRule counts registered patrons whose registration day no preset
	// rule covers (a gap in the configuration): they have no PIN either.
	NoRule int
}

// String writes the summary as "patrons: 120 added, 3 updated, 877
// unchanged", with a line for each group of patrons left without a PIN.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d added, %d updated, %d unchanged", s.Kind, s.Added, s.Updated, s.Unchanged)
	if s.NoHKID > 0 {
		fmt.Fprintf(&b, "\n%d legacy patrons have no HKID: reset their PINs at the desk", s.NoHKID)
	}
	if s.NoRule > 0 {
		fmt.Fprintf(&b, "\n%d patrons were registered on a day no preset rule covers: reset their PINs at the desk", s.NoRule)
	}
	return b.String()
}

// auditDetail is the summary for the audit log: counts only, no personal data.
func (s Summary) auditDetail() string {
	d := fmt.Sprintf("added=%d updated=%d unchanged=%d", s.Added, s.Updated, s.Unchanged)
	if s.NoHKID > 0 {
		d += fmt.Sprintf(" no_hkid=%d", s.NoHKID)
	}
	if s.NoRule > 0 {
		d += fmt.Sprintf(" no_preset_rule=%d", s.NoRule)
	}
	return d
}

// Import reads a CSV file of the given kind from r and applies it through
// svc's store, all rows or none. When the file has problems it returns an
// *Errors listing every one, and the database is unchanged.
//
// progress, if not nil, is called from time to time with the work done and
// the work in total (rows to write, plus PIN hashes to compute for legacy
// patrons), never concurrently; a final call has done == total.
func Import(ctx context.Context, svc *library.Service, kind Kind, r io.Reader, progress func(done, total int)) (Summary, error) {
	var (
		sum Summary
		err error
	)
	m := &meter{fn: progress}
	switch kind {
	case Patrons:
		sum, err = importPatrons(ctx, svc, r, m)
	case Items:
		sum, err = importItems(ctx, svc, r, m)
	case Loans:
		sum, err = importLoans(ctx, svc, r, m)
	default:
		return Summary{}, library.Errorf(library.EINVALID, "csvimport: unknown kind %q (want patrons, items or loans)", kind)
	}
	if err != nil {
		return Summary{}, err
	}
	sum.Kind = kind
	return sum, nil
}

// audit records one import in the audit log, inside its transaction.
func audit(tx library.Tx, svc *library.Service, kind Kind, s Summary) error {
	return tx.AddAudit(&library.AuditEntry{
		At:     svc.Now(),
		Actor:  "import",
		Action: "import." + string(kind),
		Detail: s.auditDetail(),
	})
}

// row is one data row of a CSV file, its fields trimmed and put in the
// order of the kind's columns, whatever their order in the file.
type row struct {
	line   int
	fields []string
}

// readCSV reads a whole CSV file whose header must name exactly the given
// columns, in any order. Problems go to probs; rows with problems of form
// (wrong number of fields, bad UTF-8, control characters, over maxCell
// characters) are left out, so the checks of each kind only see
// well-formed rows. Each field is trimmed and has an export's formula
// escape taken off (unescapeFormula). The error is for a file that cannot
// be read at all.
func readCSV(r io.Reader, columns []string, probs *problems) ([]row, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	// Spreadsheet programs on Windows start UTF-8 files with a byte order mark.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // the count is checked here, so every bad row is reported, not only the first
	cr.ReuseRecord = true   // the field strings are kept; only the slice is reused

	header, err := cr.Read()
	if err == io.EOF {
		probs.add(1, "", "the file is empty: want a header row with the columns %s", strings.Join(columns, ","))
		return nil, nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		probs.add(pe.StartLine, "", "%s", csvErrReason(pe))
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("csvimport: read: %w", err)
	}
	order, ok := headerOrder(header, columns, probs)
	if !ok {
		return nil, nil
	}

	var rows []row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if errors.As(err, &pe) {
			// encoding/csv resumes after a malformed row, so the rest of
			// the file is still checked.
			probs.add(pe.StartLine, "", "%s", csvErrReason(pe))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("csvimport: read: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(columns) {
			probs.add(line, "", "has %d fields, want %d (%s)", len(rec), len(columns), strings.Join(columns, ","))
			continue
		}
		fields := make([]string, len(columns))
		good := true
		for i, j := range order {
			f := rec[j]
			if !utf8.ValidString(f) {
				probs.add(line, columns[i], "is not valid UTF-8 (save the file as UTF-8)")
				good = false
				continue
			}
			f = unescapeFormula(strings.TrimSpace(f))
			if strings.IndexFunc(f, unicode.IsControl) >= 0 {
				probs.add(line, columns[i], "contains a line break or other control character")
				good = false
				continue
			}
			if n := utf8.RuneCountInString(f); n > maxCell {
				probs.add(line, columns[i], "is %d characters long, more than the %d a field may hold", n, maxCell)
				good = false
				continue
			}
			fields[i] = f
		}
		if good {
			rows = append(rows, row{line: line, fields: fields})
		}
	}
}

// maxCell is the most characters a field may hold: more than any name,
// title or address needs (the desk's forms take 1000 bytes), and a bound
// on what one row can make Carrel store.
const maxCell = 1000

// headerOrder maps each wanted column to its position in the header.
// Names are matched without regard to case or surrounding spaces.
func headerOrder(header, columns []string, probs *problems) ([]int, bool) {
	name := func(h string) string { return strings.ToLower(strings.TrimSpace(h)) }
	want := strings.Join(columns, ",")
	at := make(map[string]int, len(header))
	for j, h := range header {
		if !utf8.ValidString(h) {
			probs.add(1, "", "the header row is not valid UTF-8 (save the file as UTF-8)")
			return nil, false
		}
		if _, dup := at[name(h)]; !dup {
			at[name(h)] = j
		}
	}
	if !slices.ContainsFunc(columns, func(c string) bool { _, ok := at[c]; return ok }) {
		// Most likely the header row is missing and this is data, which
		// must not be echoed: it may hold an HKID number.
		probs.add(1, "", "the first line must be the header row %s", want)
		return nil, false
	}

	ok := true
	order := make([]int, len(columns))
	for i, c := range columns {
		j, found := at[c]
		if !found {
			probs.add(1, c, "the column is missing from the header row (want %s)", want)
			ok = false
			continue
		}
		order[i] = j
	}
	for j, h := range header {
		n := name(h)
		switch {
		case at[n] != j && columnName.MatchString(n):
			probs.add(1, n, "the column appears twice in the header row")
		case at[n] != j:
			probs.add(1, "", "column %d of the header row repeats column %d", j+1, at[n]+1)
		case slices.Contains(columns, n):
			continue
		case columnName.MatchString(n):
			probs.add(1, n, "unknown column (want %s)", want)
		default:
			// Not named like a column: data, perhaps personal, so not repeated.
			probs.add(1, "", "column %d of the header row is not a column name (want %s)", j+1, want)
		}
		ok = false
	}
	return order, ok
}

// columnName is what a column name looks like, and so may be repeated in
// an error message without risk of repeating personal data.
var columnName = regexp.MustCompile(`^[a-z][a-z_ ]{0,39}$`)

// csvErrReason explains a CSV syntax error without the package's prefix.
func csvErrReason(pe *csv.ParseError) string {
	return fmt.Sprintf("not valid CSV (line %d, character %d): %v", pe.Line, pe.Column, pe.Err)
}

// seen remembers the first line each key (a barcode) appeared on, to report
// a later duplicate against it.
type seen map[string]int

// dup records key at line and returns the earlier line it was on, or 0.
func (s seen) dup(key string, line int) int {
	if first, ok := s[key]; ok {
		return first
	}
	s[key] = line
	return 0
}

// sameDay reports whether two days are the same, the zero Date included.
// It compares the written form: == on a Date would compare time.Time
// internals, which need not agree for the same day.
func sameDay(a, b library.Date) bool { return a.String() == b.String() }

// meter reports progress to the caller's function, a few hundred times at
// most, from one goroutine at a time.
type meter struct {
	fn          func(done, total int)
	mu          sync.Mutex
	done, total int
	next        int // the done count at which to report again
}

// start sets the total work and reports nothing done yet.
func (m *meter) start(total int) {
	if m.fn == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done, m.total, m.next = 0, total, 0
	m.report()
}

// step records n more units done.
func (m *meter) step(n int) {
	if m.fn == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done += n
	if m.done >= m.next || m.done >= m.total {
		m.report()
	}
}

// finish reports all the work done.
func (m *meter) finish() {
	if m.fn == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done = m.total
	m.report()
}

func (m *meter) report() {
	m.fn(m.done, m.total)
	m.next = m.done + max(1, m.total/200)
}
