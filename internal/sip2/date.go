package sip2

import "time"

// A SIP2 date is 18 characters, YYYYMMDDZZZZHHMMSS: the local date, a
// four-character zone (blanks for the local time), and the local time.
// Carrel writes every date in the library's time zone with a blank zone.
const dateLen = 18

// appendDate appends t in the given zone as a SIP2 date.
func appendDate(b []byte, t time.Time, loc *time.Location) []byte {
	t = t.In(loc)
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = appendDigits(b, y, 4)
	b = appendDigits(b, int(mo), 2)
	b = appendDigits(b, d, 2)
	b = append(b, "    "...)
	b = appendDigits(b, h, 2)
	b = appendDigits(b, mi, 2)
	return appendDigits(b, s, 2)
}

// appendDigits appends n, which must not be negative, in exactly width
// digits: leading zeros added, higher digits dropped.
func appendDigits(b []byte, n, width int) []byte {
	var buf [8]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, buf[:width]...)
}

// ParseDate reads a SIP2 date. The zone may be four blanks (the library's
// local time, loc) or a zone written as "   Z" or "UTC " for UTC; any other
// zone is read as loc too, since machines differ in what they put there.
func ParseDate(b []byte, loc *time.Location) (time.Time, bool) {
	if len(b) != dateLen {
		return time.Time{}, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if !isDigit(c) {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[4:6])
	d, ok3 := num(b[6:8])
	h, ok4 := num(b[12:14])
	mi, ok5 := num(b[14:16])
	s, ok6 := num(b[16:18])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 {
		return time.Time{}, false
	}
	zone := string(b[8:12])
	if zone == "   Z" || zone == "UTC " || zone == " UTC" {
		loc = time.UTC
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, loc)
	if t.Day() != d {
		return time.Time{}, false // 31 February and the like
	}
	return t, true
}
