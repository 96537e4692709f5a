package library

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPINPolicyCheck(t *testing.T) {
	p := PINPolicy{MinLength: 8, MaxLength: 20}
	const (
		barcode = "20231234"
		preset  = "A12345"
		name    = "CHAN, Tai Man"
	)
	tests := []struct {
		name    string
		pin     string
		barcode string // defaults to the constant above when empty
		preset  string
		want    PINProblem // "" means accepted
	}{
		{name: "good", pin: "violet tram harbour"},
		{name: "exactly min", pin: "zq8!vmx2"},
		{name: "exactly max", pin: "zq8!vmx2zq8!vmx2abcd"},
		{name: "no composition rules", pin: "rivertramharbour"},
		{name: "any Unicode", pin: "我在圖書館借了很多書"},
		{name: "short", pin: "zq8!vmx", want: PINTooShort},
		{name: "empty", pin: "", want: PINTooShort},
		{name: "short in characters though long in bytes", pin: "圖書館借書", want: PINTooShort},
		{name: "long", pin: "zq8!vmx2zq8!vmx2abcde", want: PINTooLong},
		{name: "full-width counted after NFKC", pin: "ｚｑ８！ｖｍｘ", want: PINTooShort},
		// Hangul typed as 24 separate jamo is 8 syllables after NFKC.
		{name: "decomposed Hangul counted after NFKC", pin: strings.Repeat("\u1112\u1161\u11ab", 7), want: PINTooShort},
		{name: "decomposed Hangul within max", pin: strings.Repeat("\u1112\u1161\u11ab", 8) + "\u1100\u1161\u11a8"},
		{name: "common", pin: "password", want: PINCommon},
		{name: "common, any case", pin: "PassWord", want: PINCommon},
		{name: "common, full width", pin: "ｉｌｏｖｅｙｏｕ", want: PINCommon},
		{name: "common 12345678", pin: "12345678", want: PINCommon},
		{name: "common qwertyuiop", pin: "qwertyuiop", want: PINCommon},
		{name: "barcode", pin: barcode, want: PINContainsBarcode},
		{name: "contains barcode", pin: "my" + barcode + "!", want: PINContainsBarcode},
		{name: "contains staff barcode, other case", pin: "xx-lib7q-yy", barcode: "LIB7Q", want: PINContainsBarcode},
		{name: "preset", pin: "a12345xyz", want: PINContainsPreset},
		{name: "preset itself, padded", pin: "--A12345--", want: PINContainsPreset},
		{name: "no preset given", pin: "b12345xyzq", preset: "-"},
		{name: "name joined", pin: "chantaiman1", want: PINContainsName},
		{name: "name parts", pin: "taiman2024", want: PINContainsName},
		{name: "surname", pin: "mrchan!!99", want: PINContainsName},
		{name: "given name part", pin: "9man9tram9", want: PINContainsName},
		{name: "name in upper case", pin: "XYZ-TAI-XYZ", want: PINContainsName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bc, ps := barcode, preset
			if tt.barcode != "" {
				bc = tt.barcode
			}
			if tt.preset == "-" {
				ps = ""
			} else if tt.preset != "" {
				ps = tt.preset
			}
			err := p.Check(tt.pin, bc, ps, name)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.pin, err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("Check(%q) = %v, want a *PolicyError", tt.pin, err)
			}
			if pe.Problem != tt.want {
				t.Errorf("Check(%q) problem = %q, want %q", tt.pin, pe.Problem, tt.want)
			}
			if pe.Min != p.MinLength || pe.Max != p.MaxLength {
				t.Errorf("PolicyError Min, Max = %d, %d; want %d, %d", pe.Min, pe.Max, p.MinLength, p.MaxLength)
			}
			if got := ErrorCode(err); got != EINVALID {
				t.Errorf("ErrorCode = %q, want %q", got, EINVALID)
			}
			// Common PINs are words the message itself may use ("password").
			if tt.pin != "" && tt.want != PINCommon && strings.Contains(err.Error(), tt.pin) {
				t.Errorf("error %q repeats the PIN", err)
			}
		})
	}
}

// Name parts shorter than three letters are not looked for on their own,
// or "Ng" would refuse every PIN with "ng" in it.
func TestPINPolicyShortNameParts(t *testing.T) {
	p := PINPolicy{MinLength: 8, MaxLength: 64}
	tests := []struct {
		name, pin string
		want      PINProblem
	}{
		{"Ng Ho", "singing bird", ""},
		{"Ng Ho", "xngho-river", PINContainsName}, // the whole name, joined
		{"Li", "lilies in bloom", ""},
		{"O'Brien", "xobrienx99", PINContainsName},
		{"O'Brien", "briench3ese", PINContainsName},
		{"", "open stacks 42", ""},
		{"陳大文", "我是陳大文先生你好", PINContainsName},
		{"Ｃｈａｎ Ｔａｉ Ｍａｎ", "taiman2024", PINContainsName}, // a full-width name
	}
	for _, tt := range tests {
		err := p.Check(tt.pin, "20231234", "", tt.name)
		var got PINProblem
		var pe *PolicyError
		if errors.As(err, &pe) {
			got = pe.Problem
		} else if err != nil {
			t.Fatalf("Check(%q, name %q) = %v", tt.pin, tt.name, err)
		}
		if got != tt.want {
			t.Errorf("Check(%q, name %q) = %q, want %q", tt.pin, tt.name, got, tt.want)
		}
	}
}

// A huge PIN is refused as too long before anything costly: it must not be
// normalised or looked up.
func TestPINPolicyHugePIN(t *testing.T) {
	p := PINPolicy{MinLength: 8, MaxLength: 128}
	huge := strings.Repeat("é", 20<<20) // 40 MB
	start := time.Now()
	err := p.Check(huge, "20231234", "", "Chan Tai Man")
	d := time.Since(start)
	var pe *PolicyError
	if !errors.As(err, &pe) || pe.Problem != PINTooLong {
		t.Fatalf("Check(huge) = %v, want %q", err, PINTooLong)
	}
	if d > 50*time.Millisecond {
		t.Errorf("Check(huge) took %v: the length was not checked first", d)
	}
}

func TestPolicyErrorMessages(t *testing.T) {
	tests := []struct {
		err  *PolicyError
		want string
	}{
		{&PolicyError{Problem: PINTooShort, Min: 8, Max: 128}, "shorter than 8 characters"},
		{&PolicyError{Problem: PINTooLong, Min: 8, Max: 128}, "longer than 128 characters"},
		{&PolicyError{Problem: PINCommon}, "commonly used"},
		{&PolicyError{Problem: PINContainsBarcode}, "barcode"},
		{&PolicyError{Problem: PINContainsPreset}, "preset"},
		{&PolicyError{Problem: PINContainsName}, "name"},
		{&PolicyError{Problem: PINMismatch}, "confirmation"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); !strings.Contains(got, tt.want) {
			t.Errorf("%q: Error() = %q, want it to mention %q", tt.err.Problem, got, tt.want)
		}
		if !IsCode(tt.err, EINVALID) {
			t.Errorf("%q: IsCode(EINVALID) = false", tt.err.Problem)
		}
	}
}
