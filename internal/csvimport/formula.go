package csvimport

import "strings"

// A cell that starts with = + - @, a tab or a carriage return is read by
// spreadsheet programs as a formula, which can run commands or send the
// sheet's data away when staff open an export (CSV injection). An export
// writes such a cell with a single quote in front, as OWASP advises, so a
// spreadsheet shows it as text; an import takes exactly that quote off
// again, so an exported file imports back to the same data.

// formulaStart reports whether s would be read as a formula, or is such a
// cell already escaped (a quote before one): escaping those too keeps
// escape and unescape exact inverses, whatever the text.
func formulaStart(s string) bool {
	for strings.HasPrefix(s, "'") {
		s = s[1:]
	}
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// EscapeFormula returns s as an export writes it: with a single quote in
// front when a spreadsheet would otherwise take it for a formula.
func EscapeFormula(s string) string {
	if formulaStart(s) {
		return "'" + s
	}
	return s
}

// unescapeFormula undoes EscapeFormula: it takes off the one quote an
// export put in front of a cell, and leaves any other text as it is.
func unescapeFormula(s string) string {
	if strings.HasPrefix(s, "'") && formulaStart(s[1:]) {
		return s[1:]
	}
	return s
}
