package sip2

// Error detection (SIP2 section "Error Detection"): a message may end with
// AY<sequence digit>AZ<checksum>. The checksum is the two's complement of
// the 16-bit sum of every byte from the start of the message up to and
// including the characters "AZ", written as four upper-case hex digits.

// Checksum returns the checksum of b, which must run from the start of a
// message up to and including "AZ".
func Checksum(b []byte) uint16 {
	var sum uint16
	for _, c := range b {
		sum += uint16(c)
	}
	return -sum
}

const hexDigits = "0123456789ABCDEF"

// appendHex4 appends v as four upper-case hex digits, leading zeros kept.
func appendHex4(b []byte, v uint16) []byte {
	return append(b, hexDigits[v>>12], hexDigits[v>>8&0xF], hexDigits[v>>4&0xF], hexDigits[v&0xF])
}

// parseHex4 reads four hex digits of either case.
func parseHex4(b []byte) (uint16, bool) {
	if len(b) != 4 {
		return 0, false
	}
	var v uint16
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	return v, true
}
