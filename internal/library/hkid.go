package library

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Hong Kong ID numbers are read only to derive a legacy preset PIN (R3) and
// are never stored. Error messages never repeat the number, so it cannot
// leak into logs or import reports.

// ValidHKID checks a Hong Kong ID number and returns it in the printed form
// with the check digit in brackets, e.g. "A123456(3)". It accepts lower
// case, spaces, full-width characters and the check digit with or without
// brackets ("a 123456 (3)", "A1234563"). The check digit is verified with
// the Immigration Department's mod-11 rule.
func ValidHKID(s string) (string, error) {
	// NFKC folds full-width letters, digits and brackets typed with a
	// Chinese input method into ASCII.
	s = strings.ToUpper(norm.NFKC.String(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return "", Errorf(EINVALID, "no HKID number given")
	}
	if strings.ContainsAny(s, "()") {
		// Brackets, if any, enclose exactly the last character.
		n := len(s)
		if n < 3 || s[n-1] != ')' || s[n-3] != '(' || strings.ContainsAny(s[:n-3], "()") {
			return "", errHKIDFormat()
		}
		s = s[:n-3] + s[n-2:n-1]
	}
	if len(s) != 8 && len(s) != 9 {
		return "", errHKIDFormat()
	}
	prefix, digits, check := s[:len(s)-7], s[len(s)-7:len(s)-1], s[len(s)-1]
	for i := range len(prefix) {
		if prefix[i] < 'A' || prefix[i] > 'Z' {
			return "", errHKIDFormat()
		}
	}
	for i := range len(digits) {
		if digits[i] < '0' || digits[i] > '9' {
			return "", errHKIDFormat()
		}
	}
	if !(check >= '0' && check <= '9' || check == 'A') {
		return "", errHKIDFormat()
	}
	if hkidCheckDigit(prefix, digits) != check {
		return "", Errorf(EINVALID, "the HKID number's check digit is wrong")
	}
	return prefix + digits + "(" + string(check) + ")", nil
}

// HKIDPreset returns the six-character preset derived from an HKID number:
// the letter directly before the digits and the first five digits (R3), so
// "A123456(3)" gives "A12345" and "CA182361(1)" gives "A18236".
func HKIDPreset(hkid string) (string, error) {
	v, err := ValidHKID(hkid)
	if err != nil {
		return "", err
	}
	// v is letters, six digits, "(", check, ")": the digits start 9 from the end.
	start := len(v) - 9
	return v[start-1 : start+5], nil
}

func errHKIDFormat() error {
	return Errorf(EINVALID, "an HKID number is one or two letters, six digits and a check digit (0-9 or A)")
}

// hkidCheckDigit computes the check character of a validated prefix (one or
// two capital letters) and six digits. The body is padded on the left to
// eight characters with a space worth 36; letters are worth A=10 .. Z=35;
// weights run 9 down to 2. The check value is 11 - (sum mod 11), written
// "A" for 10 and "0" for 11.
func hkidCheckDigit(prefix, digits string) byte {
	body := prefix + digits
	if len(body) == 7 {
		body = " " + body
	}
	sum := 0
	for i := range len(body) {
		var v int
		switch c := body[i]; {
		case c == ' ':
			v = 36
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			v = int(c - '0')
		}
		sum += v * (9 - i)
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'A'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}
