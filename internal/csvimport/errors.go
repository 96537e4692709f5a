package csvimport

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
)

// LineError is one problem with one line of a CSV file.
type LineError struct {
	// Line is the line number in the file, counting the header as line 1.
	// A row that spans several lines (a quoted field with a line break) is
	// reported at the line it starts on.
	Line int
	// Column is the header name of the field at fault, or "" when the
	// problem is with the line as a whole.
	Column string
	// Reason says what is wrong in words staff can act on. It never
	// contains an HKID number.
	Reason string
}

// Error writes the problem as "line 12, column barcode: reason".
func (e LineError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// Errors is every problem found in a file that was rejected. When Import
// returns it, nothing was imported.
type Errors struct {
	// Lines holds the problems in line order.
	Lines []LineError
}

// Error lists every problem, one per line.
func (e *Errors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "csvimport: %d problem(s), nothing imported", len(e.Lines))
	for _, l := range e.Lines {
		b.WriteString("\n")
		b.WriteString(l.Error())
	}
	return b.String()
}

// Unwrap gives the rejection the domain's EINVALID code, so an entrance
// (CLI, staff desk, API) can map it like any other bad input.
func (e *Errors) Unwrap() error {
	return library.Errorf(library.EINVALID, "the CSV file has %d problem(s)", len(e.Lines))
}

// problems collects LineErrors while a file is checked.
type problems []LineError

func (p *problems) add(line int, column, format string, args ...any) {
	*p = append(*p, LineError{Line: line, Column: column, Reason: fmt.Sprintf(format, args...)})
}

// err returns the collected problems as *Errors, sorted by line (stable, so
// problems on one line keep the order of the columns), or nil when there are none.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	lines := slices.Clone(p)
	slices.SortStableFunc(lines, func(a, b LineError) int { return a.Line - b.Line })
	return &Errors{Lines: lines}
}

// reason returns the message of a domain error without its code prefix,
// which is meant for logs, not for the person fixing the file.
func reason(err error) string {
	var e *library.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
