package sip2

import (
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/carrel-library/carrel/internal/library"
)

// maxFieldLen is how many characters SIP2 allows in a variable-length field.
const maxFieldLen = 255

// reply builds one response in a buffer that the connection reuses, so a
// reply costs no allocation once the buffer has grown to size. It is
// built in UTF-8 and, for a machine that speaks a single-byte character
// set (cs), written in that set when finished.
type reply struct {
	b   []byte
	loc *time.Location
	cs  *charmap.Charmap
	alt []byte // the other buffer, for writing b in cs
}

// start begins a reply with its message identifier.
func (r *reply) start(code string) { r.b = append(r.b[:0], code...) }

// raw appends fixed-field text as it is.
func (r *reply) raw(s string) { r.b = append(r.b, s...) }

// yn appends a fixed Y or N.
func (r *reply) yn(v bool) {
	if v {
		r.b = append(r.b, 'Y')
	} else {
		r.b = append(r.b, 'N')
	}
}

// ok appends a fixed 1 or 0.
func (r *reply) ok(v bool) {
	if v {
		r.b = append(r.b, '1')
	} else {
		r.b = append(r.b, '0')
	}
}

// count appends a four-digit count, 9999 at most.
func (r *reply) count(n int) { r.b = appendDigits(r.b, min(max(n, 0), 9999), 4) }

// date appends t as a fixed 18-character SIP2 date.
func (r *reply) date(t time.Time) { r.b = appendDate(r.b, t, r.loc) }

// field appends a variable field: tag, value and "|". A "|" or a line
// break inside the value would end the field or the message early, so each
// becomes a space. A value longer than SIP2 allows is cut to its first
// maxFieldLen characters (fieldLen).
func (r *reply) field(tag, value string) {
	r.b = append(r.b, tag...)
	value = value[:fieldLen(value, r.cs != nil)]
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c == '|' || c == '\r' || c == '\n' {
			c = ' '
		}
		r.b = append(r.b, c)
	}
	r.b = append(r.b, '|')
}

// fieldBytes is field for a value still in the request's buffer.
func (r *reply) fieldBytes(tag string, value []byte) {
	r.b = append(r.b, tag...)
	for _, c := range value[:fieldLen(value, r.cs != nil)] {
		if c == '|' || c == '\r' || c == '\n' {
			c = ' '
		}
		r.b = append(r.b, c)
	}
	r.b = append(r.b, '|')
}

// fieldYN appends a field whose value is Y or N.
func (r *reply) fieldYN(tag string, v bool) {
	if v {
		r.field(tag, "Y")
	} else {
		r.field(tag, "N")
	}
}

// fieldDate appends a field holding a SIP2 date.
func (r *reply) fieldDate(tag string, t time.Time) {
	r.b = append(r.b, tag...)
	r.b = appendDate(r.b, t, r.loc)
	r.b = append(r.b, '|')
}

// fieldCount appends a field holding a four-digit number.
func (r *reply) fieldCount(tag string, n int) {
	r.b = append(r.b, tag...)
	r.count(n)
	r.b = append(r.b, '|')
}

// fieldMoney appends a field holding an amount such as 12.50.
func (r *reply) fieldMoney(tag string, m library.Money) {
	r.b = append(r.b, tag...)
	r.b = appendMoney(r.b, m)
	r.b = append(r.b, '|')
}

// fieldLen is how many bytes of the UTF-8 value v go into a field: all of
// them up to maxFieldLen characters of the output. In UTF-8 a character
// is a byte, as a client's field buffer counts it, and the cut never
// splits a character's sequence; in a single-byte character set (single)
// a character is a rune of v.
func fieldLen[T string | []byte](v T, single bool) int {
	if len(v) <= maxFieldLen {
		return len(v)
	}
	if !single {
		i := maxFieldLen
		for i > 0 && v[i]&0xC0 == 0x80 { // v[i], the first byte left out, continues a character
			i--
		}
		return i
	}
	n := 0
	for i := 0; i < len(v); n++ {
		if n == maxFieldLen {
			return i
		}
		for i++; i < len(v) && v[i]&0xC0 == 0x80; i++ {
		}
	}
	return len(v)
}

// finish ends the reply: the request's sequence number and a checksum when
// the request had them, then the CR that ends every message. The checksum
// covers the bytes as sent, in the machine's character set.
func (r *reply) finish(seq int, checked bool) []byte {
	r.encode()
	if seq >= 0 || checked {
		if seq < 0 {
			seq = 0
		}
		r.b = append(r.b, 'A', 'Y', byte('0'+seq), 'A', 'Z')
		r.b = appendHex4(r.b, Checksum(r.b))
	}
	r.b = append(r.b, '\r')
	return r.b
}

// finishUnsequenced ends a 96 or 97, which never carry a sequence number
// (SIP2 2.00): a checksum alone when checksums are in use.
func (r *reply) finishUnsequenced(checked bool) []byte {
	r.encode()
	if checked {
		r.b = append(r.b, 'A', 'Z')
		r.b = appendHex4(r.b, Checksum(r.b))
	}
	r.b = append(r.b, '\r')
	return r.b
}

// encode writes the reply built so far in the machine's single-byte
// character set, if it has one.
func (r *reply) encode() {
	if r.cs == nil {
		return
	}
	r.alt = encodeInto(r.alt[:0], r.b, r.cs)
	r.b, r.alt = r.alt, r.b
}

// appendMoney writes cents as a decimal amount: 1250 as 12.50.
func appendMoney(b []byte, m library.Money) []byte {
	if m < 0 {
		b = append(b, '-')
		m = -m
	}
	whole := int64(m / 100)
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + whole%10)
		whole /= 10
		if whole == 0 {
			break
		}
	}
	b = append(b, buf[i:]...)
	b = append(b, '.')
	return appendDigits(b, int(m%100), 2)
}

// parseMoney reads an amount such as 12.50, 12.5 or 12 as cents. It
// refuses signs, more than two decimals and absurd amounts.
func parseMoney(b []byte) (library.Money, bool) {
	const maxCents = 1_000_000_00 // HKD 1,000,000: no fine is larger
	var cents int64
	decimals, dot := 0, false
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range b {
		switch {
		case c == '.' && !dot:
			dot = true
		case isDigit(c):
			if dot {
				decimals++
				if decimals > 2 {
					return 0, false
				}
			}
			cents = cents*10 + int64(c-'0')
			if cents > maxCents*100 {
				return 0, false
			}
		default:
			return 0, false
		}
	}
	if len(b) == 1 && dot {
		return 0, false // "." alone
	}
	for ; decimals < 2; decimals++ {
		cents *= 10
	}
	if cents > maxCents {
		return 0, false
	}
	return library.Money(cents), true
}
