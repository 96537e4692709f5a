package library

import (
	"strings"
	"testing"
)

// The check digits below were computed by hand with the mod-11 rule and
// agree with the published samples A123456(3) and CA182361(1).
func TestValidHKID(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"A123456(3)", "A123456(3)"},
		{"A1234563", "A123456(3)"},
		{"a123456(3)", "A123456(3)"},
		{"  A 123 456 (3) ", "A123456(3)"},
		{"Ａ１２３４５６（３）", "A123456(3)"}, // full width, as a Chinese input method types it
		{"CA182361(1)", "CA182361(1)"},
		{"ca1823611", "CA182361(1)"},
		{"XA987654(2)", "XA987654(2)"},
		{"AB987654(3)", "AB987654(3)"},
		{"G123456(A)", "G123456(A)"}, // check value 10
		{"g123456a", "G123456(A)"},
		{"K123456(0)", "K123456(0)"}, // check value 11
		{"MX123000(A)", "MX123000(A)"},
		{"MX123005(0)", "MX123005(0)"},
		{"Y000000(9)", "Y000000(9)"},
		{"Z683365(A)", "Z683365(A)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ValidHKID(tt.in)
			if err != nil {
				t.Fatalf("ValidHKID(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ValidHKID(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidHKIDRefuses(t *testing.T) {
	const badFormat, badCheck = "one or two letters", "check digit is wrong"
	tests := []struct {
		in, wantMsg string
	}{
		{"", "no HKID number"},
		{"   ", "no HKID number"},
		{"A123456(4)", badCheck},
		{"A1234564", badCheck},
		{"XA987654(3)", badCheck},
		{"CA182361(2)", badCheck},
		{"G123456(0)", badCheck},
		{"K123456(A)", badCheck},
		{"B123456(3)", badCheck}, // another letter, same digits
		{"A123456", badFormat},   // no check digit
		{"A12345(6)", badFormat}, // five digits
		{"A1234567(8)", badFormat},
		{"123456(3)", badFormat}, // no letter
		{"ABC123456(7)", badFormat},
		{"1A123456(3)", badFormat},
		{"A123456(B)", badFormat},
		{"A12345X(3)", badFormat},
		{"A123456(3", badFormat},
		{"A123456)3(", badFormat},
		{"A123456((3))", badFormat},
		{"A(1)23456(3)", badFormat},
		{"A123456-3", badFormat},
		{"É123456(3)", badFormat},
		{"A123456(３３)", badFormat},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ValidHKID(tt.in)
			if err == nil {
				t.Fatalf("ValidHKID(%q) = %q, want an error", tt.in, got)
			}
			if code := ErrorCode(err); code != EINVALID {
				t.Errorf("ErrorCode = %q, want %q", code, EINVALID)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q does not say %q", msg, tt.wantMsg)
			}
			// The number must never reach a log through an error message.
			for _, leak := range []string{"123456", "12345", "987654", "182361"} {
				if strings.Contains(msg, leak) {
					t.Errorf("error %q repeats the HKID number", msg)
				}
			}
		})
	}
}

func TestHKIDPreset(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"A123456(3)", "A12345"},  // R3's own example
		{"a 1234563", "A12345"},   // normalised first
		{"XA987654(2)", "A98765"}, // two letters: the one directly before the digits
		{"CA182361(1)", "A18236"},
		{"AB987654(3)", "B98765"},
		{"G123456(A)", "G12345"},
		{"MX123005(0)", "X12300"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := HKIDPreset(tt.in)
			if err != nil {
				t.Fatalf("HKIDPreset(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("HKIDPreset(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	for _, in := range []string{"A123456(4)", "A12345", ""} {
		if got, err := HKIDPreset(in); err == nil || ErrorCode(err) != EINVALID {
			t.Errorf("HKIDPreset(%q) = %q, %v; want an EINVALID error", in, got, err)
		}
	}
}

// The check digit of every one-letter prefix with digits 123456, from an
// independent reading of the rule: (36*9 + letter*8 + 77 + check) % 11 == 0,
// with "A" meaning 10.
func TestHKIDCheckDigitEveryLetter(t *testing.T) {
	for l := byte('A'); l <= 'Z'; l++ {
		got := hkidCheckDigit(string(l), "123456")
		v := 10
		if got != 'A' {
			v = int(got - '0')
		}
		if (36*9+int(l-'A'+10)*8+77+v)%11 != 0 || got < '0' || (got > '9' && got != 'A') {
			t.Errorf("check digit of %c123456 = %c, which does not satisfy the rule", l, got)
		}
	}
}
