package sip2

import (
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// TestChecksumVectors checks vectors worked out independently (in
// Python: the two's complement of the byte sum, masked to 16 bits).
func TestChecksumVectors(t *testing.T) {
	for _, tt := range []struct{ upToAZ, want string }{
		{"941AY0AZ", "FDFD"},
		{"9300CNkiosk|COpw|AY1AZ", "F8AB"},
		{"AZ", "FF65"},
		{"", "0000"},
		// A leading zero is kept: four digits always.
		{"99" + strings.Repeat("z", 500) + "AY0AZ", "0FE1"},
	} {
		if got := string(appendHex4(nil, Checksum([]byte(tt.upToAZ)))); got != tt.want {
			t.Errorf("Checksum(%.20q...) = %s, want %s", tt.upToAZ, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	sum := func(s string) string { return s + string(appendHex4(nil, Checksum([]byte(s)))) }
	tests := []struct {
		name, line string
		err        error
		code, seq  int
		checked    bool
		fields     map[string]string
	}{
		{"login", "9300CNkiosk|COpw|CPmain|", nil, 93, -1, false, map[string]string{"CN": "kiosk", "CO": "pw", "CP": "main"}},
		{"status", "9900302.00", nil, 99, -1, false, nil},
		{"checksum", sum("9900302.00AY1AZ"), nil, 99, 1, true, nil},
		{"checksum lower-case hex", strings.ToLower(sum("9900302.00AY1AZ")[:0]) + "9900302.00AY1AZ" + strings.ToLower(sum("9900302.00AY1AZ")[15:]), nil, 99, 1, true, nil},
		{"field order and unknown fields", "2300120261128    100000ZZjunk|AA123|AOinst|", nil, 23, -1, false, map[string]string{"AA": "123", "AO": "inst", "ZZ": "junk"}},
		{"empty field after fixed part", sum("2300120261128    100000|AY2AZ"), nil, 23, 2, true, nil},
		{"empty values", "2300120261128    100000AO|AA|AD|", nil, 23, -1, false, map[string]string{"AO": "", "AA": "", "AD": ""}},
		{"UTF-8 text", "2300120261128    100000AE陳大文|", nil, 23, -1, false, map[string]string{"AE": "陳大文"}},
		{"bad checksum", "9900302.00AY1AZ0000", ErrChecksum, -1, 1, true, nil},
		{"checksum not hex", "9900302.00AY1AZZZZZ", ErrChecksum, -1, 1, true, nil},
		{"short fixed part", "2300120261128", ErrShort, -1, -1, false, nil},
		{"unknown code", "42abc", ErrCode, -1, -1, false, nil},
		{"not a code", "x", ErrCode, -1, -1, false, nil},
		{"not UTF-8", "99\xff0302.00", ErrEncoding, -1, -1, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			err := Parse([]byte(tt.line), &m)
			if err != tt.err {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if m.Seq != tt.seq || m.Checked != tt.checked {
				t.Errorf("seq %d checked %v, want %d %v", m.Seq, m.Checked, tt.seq, tt.checked)
			}
			if err != nil {
				return
			}
			if m.Code != tt.code {
				t.Errorf("code %d, want %d", m.Code, tt.code)
			}
			for tag, want := range tt.fields {
				if got, ok := m.Field(tag); !ok || string(got) != want {
					t.Errorf("%s = %q (%v), want %q", tag, got, ok, want)
				}
			}
		})
	}
}

func TestParseAllocatesNothing(t *testing.T) {
	line := []byte("6300120261128    100000  Y       AOHKCT|AA20240001|ADsecret|BP1|BQ5|AY3AZ")
	line = appendHex4(line, Checksum(line))
	var m Message
	if n := testing.AllocsPerRun(100, func() { Parse(line, &m) }); n != 0 {
		t.Errorf("Parse allocates %v times", n)
	}
}

func TestReplyRoundTrip(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Hong_Kong")
	r := reply{loc: loc}
	when := time.Date(2026, 11, 28, 2, 3, 4, 0, time.UTC)
	r.start("24")
	r.raw("              001")
	r.date(when)
	r.field("AO", "HK|CT") // a | in a value must not end the field
	r.fieldMoney("BV", 1250)
	out := string(r.finish(7, true))
	if !strings.HasPrefix(out, "24              00120261128    100304AOHK CT|BV12.50|AY7AZ") || !strings.HasSuffix(out, "\r") {
		t.Fatalf("reply %q", out)
	}
	var m Message
	if err := Parse([]byte(strings.TrimSuffix(strings.Replace(out, "24", "23", 1)[:len(out)-1], "\r")), &m); err != ErrChecksum {
		// The code changed, so the checksum must no longer match.
		t.Errorf("tampered reply parsed: %v", err)
	}
	body := []byte(out[:len(out)-1])
	if Checksum(body[:len(body)-4]) != mustHex(t, body[len(body)-4:]) {
		t.Error("reply checksum does not verify")
	}
	d, ok := ParseDate([]byte("20261128    100304"), loc)
	if !ok || !d.Equal(when) {
		t.Errorf("ParseDate: %v %v", d, ok)
	}
	if d, ok := ParseDate([]byte("20261128   Z020304"), loc); !ok || !d.Equal(when) {
		t.Errorf("ParseDate with zone Z: %v %v", d, ok)
	}
	for _, bad := range []string{"2026112", "20261131    100304", "2026AB28    100304"} {
		if _, ok := ParseDate([]byte(bad), loc); ok {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

func mustHex(t *testing.T, b []byte) uint16 {
	t.Helper()
	v, ok := parseHex4(b)
	if !ok {
		t.Fatalf("not hex: %q", b)
	}
	return v
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]library.Money{"12.50": 1250, "12.5": 1250, "12": 1200, "0.05": 5, ".5": 50} {
		if got, ok := parseMoney([]byte(in)); !ok || got != want {
			t.Errorf("parseMoney(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", ".", "-1", "1.234", "1,00", "99999999999", "1e3"} {
		if _, ok := parseMoney([]byte(bad)); ok {
			t.Errorf("parseMoney(%q) accepted", bad)
		}
	}
	if got := string(appendMoney(nil, 5)); got != "0.05" {
		t.Errorf("appendMoney(5) = %q", got)
	}
}
