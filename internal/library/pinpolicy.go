package library

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PINProblem names why a PIN was refused. Entrances translate it; its value
// is stable and safe to use as a message-catalogue key.
type PINProblem string

// Why the PIN policy refuses a PIN (NIST SP 800-63B: length, blocklist and
// context-specific words; no composition rules, no expiry).
const (
	PINTooShort        PINProblem = "too_short"        // fewer than Min characters
	PINTooLong         PINProblem = "too_long"         // more than Max characters
	PINCommon          PINProblem = "common"           // on the common-password blocklist
	PINContainsBarcode PINProblem = "contains_barcode" // is or contains the patron barcode
	PINContainsPreset  PINProblem = "contains_preset"  // is or contains the preset PIN
	PINContainsName    PINProblem = "contains_name"    // contains the patron's name or part of it
)

// minNamePart is the shortest part of a name the policy looks for in a PIN:
// shorter parts ("Ng", "Li", "Ho") occur by chance in too many good PINs.
const minNamePart = 3

// PolicyError is returned by PINPolicy.Check and Service.ChangePIN. It never
// holds the PIN, the barcode or the name, so it is safe to log.
type PolicyError struct {
	Problem PINProblem
	// Min and Max are the policy's length bounds, set by PINPolicy.Check, so
	// a translated message can say "at least 8 characters".
	Min, Max int
}

// Error gives an English message for developers and logs.
func (e *PolicyError) Error() string {
	var why string
	switch e.Problem {
	case PINTooShort:
		why = fmt.Sprintf("it is shorter than %d characters", e.Min)
	case PINTooLong:
		why = fmt.Sprintf("it is longer than %d characters", e.Max)
	case PINCommon:
		why = "it is a commonly used password"
	case PINContainsBarcode:
		why = "it contains the patron barcode"
	case PINContainsPreset:
		why = "it contains the preset PIN"
	case PINContainsName:
		why = "it contains the patron's name"
	case PINWrongOld:
		why = "the old PIN is wrong"
	case PINMismatch:
		why = "the new PIN and its confirmation differ"
	case PINSameAsOld:
		why = "the new PIN is the old one"
	case PINMissing:
		why = "a field was left empty"
	default:
		why = string(e.Problem)
	}
	return "library: invalid: PIN refused: " + why
}

// Unwrap gives an *Error with code EINVALID, so that ErrorCode and IsCode
// treat a policy refusal as bad input like any other.
func (e *PolicyError) Unwrap() error {
	return &Error{Code: EINVALID, Message: "PIN refused: " + string(e.Problem)}
}

// Check reports whether pin may be chosen by the patron with this barcode,
// preset PIN (empty when there is none) and name. It returns nil or a
// *PolicyError. Characters are counted after NFKC; letters are compared
// without regard to case.
func (p PINPolicy) Check(pin, barcode, preset, name string) error {
	refuse := func(problem PINProblem) error {
		return &PolicyError{Problem: problem, Min: p.MinLength, Max: p.MaxLength}
	}
	if pinTooLong(pin, p.MaxLength) {
		return refuse(PINTooLong)
	}
	pin = NormalizePIN(pin)
	if utf8.RuneCountInString(pin) < p.MinLength {
		return refuse(PINTooShort)
	}
	if IsCommonPIN(pin) {
		return refuse(PINCommon)
	}
	lower := strings.ToLower(pin)
	if contains(lower, barcode) {
		return refuse(PINContainsBarcode)
	}
	if contains(lower, preset) {
		return refuse(PINContainsPreset)
	}
	// The name is split at anything not a letter or digit, so "CHAN, Tai-man"
	// and "O'Brien" give their parts; the parts joined catch "chantaiman".
	parts := strings.FieldsFunc(NormalizePIN(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, part := range append(parts, strings.Join(parts, "")) {
		if utf8.RuneCountInString(part) >= minNamePart && contains(lower, part) {
			return refuse(PINContainsName)
		}
	}
	return nil
}

// pinTooLong reports whether pin has more than max characters, counted
// after NFKC as Check counts them, so that sign-in refuses exactly the PINs
// that could never have been chosen, and does so before any hashing.
func pinTooLong(pin string, max int) bool {
	// NFKC makes at most four code points into one (U+1F87 and its kin), so
	// a PIN over 4*max code points cannot come back within max; refusing it
	// by its byte length spares normalising megabytes.
	if len(pin) > 4*utf8.UTFMax*max {
		return true
	}
	return utf8.RuneCountInString(NormalizePIN(pin)) > max
}

// contains reports whether the lower-cased, normalised PIN contains word,
// ignoring case. An empty word is contained in nothing.
func contains(lowerPIN, word string) bool {
	word = strings.ToLower(NormalizePIN(strings.TrimSpace(word)))
	return word != "" && strings.Contains(lowerPIN, word)
}
