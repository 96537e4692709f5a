package sip2

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/carrel-library/carrel/internal/library"
)

// charsetOf returns the single-byte character set of a SIP2 account's
// encoding, or nil for UTF-8, which Carrel reads and writes as it is.
func charsetOf(encoding string) *charmap.Charmap {
	switch encoding {
	case library.SIPEncodingCP850:
		return charmap.CodePage850
	case library.SIPEncodingLatin1:
		return charmap.ISO8859_1
	}
	return nil
}

// decodeInto appends b, written in the single-byte character set cs, to
// dst in UTF-8. Every byte is a character, so nothing is refused here:
// what is no text (a C1 control of Latin-1) is refused by the parser.
func decodeInto(dst, b []byte, cs *charmap.Charmap) []byte {
	for _, c := range b {
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			continue
		}
		dst = utf8.AppendRune(dst, cs.DecodeByte(c))
	}
	return dst
}

// encodeInto appends b, UTF-8, to dst in the single-byte character set cs;
// a character cs lacks (a Chinese name in code page 850) becomes '?'.
func encodeInto(dst, b []byte, cs *charmap.Charmap) []byte {
	for i := 0; i < len(b); {
		if c := b[i]; c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		i += n
		if c, ok := cs.EncodeRune(r); ok && r != utf8.RuneError {
			dst = append(dst, c)
		} else {
			dst = append(dst, '?')
		}
	}
	return dst
}
