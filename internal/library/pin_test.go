package library

import (
	"strings"
	"testing"
)

func TestNormalizePIN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"password1", "password1"},
		{"ｐａｓｓｗｏｒｄ１", "password1"},  // full width
		{"cafe\u0301", "caf\u00e9"}, // combining accent composed
		{"\ufb01sh", "fish"},        // ligature
		{"①②③④", "1234"},
		{"\u1112\u1161\u11ab", "\ud55c"}, // Hangul jamo to one syllable
		{"  spaces kept  ", "  spaces kept  "},
	}
	for _, tt := range tests {
		if got := NormalizePIN(tt.in); got != tt.want {
			t.Errorf("NormalizePIN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBlocklistSize(t *testing.T) {
	if got := BlocklistSize(); got < 10000 {
		t.Errorf("BlocklistSize() = %d, want at least 10000", got)
	}
}

func TestIsCommonPIN(t *testing.T) {
	tests := []struct {
		pin  string
		want bool
	}{
		{"password", true},
		{"PASSWORD", true},
		{"12345678", true},
		{"iloveyou", true},
		{"qwertyuiop", true},
		{"123456", true},
		{"1qaz2wsx", true},
		{"trustno1", true},
		{"ｐａｓｓｗｏｒｄ", true},   // full width is the same PIN
		{"password ", false}, // NIST: compare the whole secret
		{"", false},
		{"violet tram harbour", false},
		{"zq8!vmx2", false},
	}
	for _, tt := range tests {
		if got := IsCommonPIN(tt.pin); got != tt.want {
			t.Errorf("IsCommonPIN(%q) = %v, want %v", tt.pin, got, tt.want)
		}
	}
}

// Every entry is stored lower-cased, without blanks, once.
func TestBlocklistEntries(t *testing.T) {
	list := commonPINs()
	lengths := map[int]int{}
	for i, w := range list {
		if w != strings.ToLower(w) || strings.TrimSpace(w) != w || w == "" {
			t.Errorf("entry %q is not lower case and trimmed", w)
		}
		if i > 0 && list[i-1] >= w {
			t.Fatalf("entries %q, %q out of order or repeated", list[i-1], w)
		}
		lengths[len([]rune(w))]++
	}
	for n := 4; n <= 12; n++ {
		if lengths[n] == 0 {
			t.Errorf("no entries of %d characters", n)
		}
	}
}
