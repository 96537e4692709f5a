package sip2

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// maxFields bounds how many variable fields of a message are kept; a
// request that sends more has the rest ignored, so memory stays bounded.
const maxFields = 32

// Message is one parsed request. Its byte slices point into the line it
// was parsed from and are valid only until the connection reads the next
// line: a Message is reused for every request of a connection.
type Message struct {
	// Code is the two-digit message identifier as a number (63 for "63").
	Code int
	// Fixed holds the fixed-length fields that follow the identifier.
	Fixed []byte
	// Seq is the sequence number (AY), or -1 when the request has none.
	Seq int
	// Checked is set when the request carried a checksum (AZ): the reply
	// then carries one too.
	Checked bool

	fields [maxFields]field
	n      int
}

// field is one variable-length field: a two-character tag and its value.
type field struct {
	tag   [2]byte
	value []byte
}

// Parse errors. Each is answered with 96 (please resend); none changes anything.
var (
	ErrShort    = errors.New("sip2: message too short for its fixed fields")
	ErrCode     = errors.New("sip2: unknown message identifier")
	ErrChecksum = errors.New("sip2: checksum does not match")
	ErrEncoding = errors.New("sip2: message is not UTF-8")
	ErrControl  = errors.New("sip2: message holds a control character")
)

// fixedLen is the length of each request's fixed part, by message code;
// -1 marks a code Carrel does not accept.
var fixedLen = func() [100]int {
	var t [100]int
	for i := range t {
		t[i] = -1
	}
	t[1] = 1 + 18           // block patron: card retained, date
	t[9] = 1 + 18 + 18      // checkin: no block, date, return date
	t[11] = 1 + 1 + 18 + 18 // checkout: renewal policy, no block, date, nb due date
	t[15] = 1 + 18          // hold: mode, date
	t[17] = 18              // item information: date
	t[23] = 3 + 18          // patron status: language, date
	t[29] = 1 + 1 + 18 + 18 // renew: third party, no block, date, nb due date
	t[35] = 18              // end patron session: date
	t[37] = 18 + 2 + 2 + 3  // fee paid: date, fee type, payment type, currency
	t[63] = 3 + 18 + 10     // patron information: language, date, summary
	t[65] = 18              // renew all: date
	t[93] = 1 + 1           // login: UID and PWD algorithms
	t[97] = 0               // request ACS resend
	t[99] = 1 + 3 + 4       // SC status: status, print width, protocol version
	return t
}()

// Parse reads one request line (without its terminator), in UTF-8, into
// m. It checks the checksum when there is one. On error m must not be
// acted on, except that m.Checked says how to frame the 96 that answers it.
func Parse(line []byte, m *Message) error {
	body, err := m.readTrailer(line)
	if err != nil {
		return err
	}
	return m.parseBody(body)
}

// readTrailer resets m, reads the error detection fields at the end of a
// request line (AY sequence number, AZ checksum) and checks the checksum,
// which covers the bytes as sent, whatever their character set. It
// returns the message without them.
func (m *Message) readTrailer(line []byte) ([]byte, error) {
	m.Code, m.Fixed, m.Seq, m.Checked, m.n = -1, nil, -1, false, 0
	body := line
	badSum := false
	if n := len(body); n >= 6 && body[n-6] == 'A' && body[n-5] == 'Z' {
		m.Checked = true
		want, ok := parseHex4(body[n-4:])
		badSum = !ok || Checksum(body[:n-4]) != want
		body = body[:n-6]
	}
	if n := len(body); n >= 3 && body[n-3] == 'A' && body[n-2] == 'Y' && isDigit(body[n-1]) {
		m.Seq = int(body[n-1] - '0')
		body = body[:n-3]
	}
	if badSum {
		return nil, ErrChecksum
	}
	return body, nil
}

// parseBody reads a message in UTF-8, its error detection fields removed:
// it must be valid UTF-8 without control characters.
func (m *Message) parseBody(body []byte) error {
	if !utf8.Valid(body) {
		return ErrEncoding
	}
	if hasControl(body) {
		return ErrControl
	}
	return m.split(body)
}

// split reads the message identifier, the fixed part and the variable
// fields of a message, without checking its characters.
func (m *Message) split(body []byte) error {
	m.Code, m.Fixed, m.n = -1, nil, 0
	if len(body) < 2 || !isDigit(body[0]) || !isDigit(body[1]) {
		return ErrCode
	}
	code := int(body[0]-'0')*10 + int(body[1]-'0')
	fl := fixedLen[code]
	if fl < 0 {
		return ErrCode
	}
	if len(body) < 2+fl {
		return ErrShort
	}
	m.Code, m.Fixed = code, body[2:2+fl]
	rest := body[2+fl:]
	for len(rest) > 0 {
		seg := rest
		i := bytes.IndexByte(rest, '|')
		if i >= 0 {
			seg, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		// Empty segments (a "|" straight after the fixed fields) and stray
		// single bytes are tolerated and ignored.
		if len(seg) < 2 || m.n == maxFields {
			continue
		}
		m.fields[m.n] = field{tag: [2]byte{seg[0], seg[1]}, value: seg[2:]}
		m.n++
	}
	return nil
}

// hasControl reports whether UTF-8 text holds a control character (C0,
// DEL or C1). No SIP2 field carries one; a NUL or an escape sequence would
// otherwise reach the database (PostgreSQL refuses a NUL in text), the
// audit log and the screens staff read.
func hasControl(b []byte) bool {
	for i, c := range b {
		if c < 0x20 || c == 0x7f || c == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f {
			return true
		}
	}
	return false
}

// Field returns the value of the first field with the given two-character
// tag, and whether the request has it.
func (m *Message) Field(tag string) ([]byte, bool) {
	for i := 0; i < m.n; i++ {
		f := &m.fields[i]
		if f.tag[0] == tag[0] && f.tag[1] == tag[1] {
			return f.value, true
		}
	}
	return nil, false
}

// String returns the value of a field as a string, "" when absent.
func (m *Message) String(tag string) string {
	v, _ := m.Field(tag)
	return string(v)
}

// Flag returns the fixed-field byte at i, or ' ' when the fixed part is shorter.
func (m *Message) Flag(i int) byte {
	if i < len(m.Fixed) {
		return m.Fixed[i]
	}
	return ' '
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
