package library

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// pinSeeds are PINs worth starting from: full-width, composing and
// expanding text, Hangul jamo, text that is not UTF-8, control characters.
var pinSeeds = []string{
	"violet tram harbour", "ｐａｓｓｗｏｒｄ１", "cafe\u0301", "\ufb01sh", "①②③④",
	"\u1112\u1161\u11ab", strings.Repeat("\u1112\u1161\u11ab", 9), "\ufdfa", "\u1f87\u0345",
	"a\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301",
	"\xff\xfe", "pin\x00pin", "\xe2\x82", "我在圖書館借了很多書", "",
}

// FuzzNormalizePIN: NormalizePIN never panics, always gives UTF-8, and is
// idempotent, so a PIN normalised twice (at the policy check and again at
// hashing) is the PIN normalised once.
func FuzzNormalizePIN(f *testing.F) {
	for _, s := range pinSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pin string) {
		n := NormalizePIN(pin)
		if !utf8.ValidString(n) {
			t.Fatalf("NormalizePIN(%q) = %q, not UTF-8", pin, n)
		}
		if again := NormalizePIN(n); again != n {
			t.Fatalf("NormalizePIN not idempotent: %q gives %q, then %q", pin, n, again)
		}
	})
}

// FuzzPINPolicy: Check never panics and answers nil or a *PolicyError; the
// length is measured one way, in characters after NFKC, whatever the
// input's bytes: a PIN over the limit is refused as too long (never
// truncated to fit, never let through), one under it as too short, and a
// PIN and its normalised form get the same answer.
func FuzzPINPolicy(f *testing.F) {
	for _, s := range pinSeeds {
		f.Add(s, "20240001", "A12345", "CHAN, Tai Man")
	}
	f.Add(strings.Repeat("z", 200), "", "", "")
	f.Add(strings.Repeat("\ufdfa", 3), "", "", "") // 3 characters, 54 after NFKC
	p := PINPolicy{MinLength: 4, MaxLength: 12}    // small, so the fuzzer reaches both ends
	f.Fuzz(func(t *testing.T, pin, barcode, preset, name string) {
		err := p.Check(pin, barcode, preset, name)
		var pe *PolicyError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("Check(%q) = %v, not a *PolicyError", pin, err)
		}
		n := utf8.RuneCountInString(NormalizePIN(pin))
		switch {
		case n > p.MaxLength:
			if pe == nil || pe.Problem != PINTooLong {
				t.Fatalf("Check(%q), %d characters after NFKC: %v, want too long", pin, n, err)
			}
		case n < p.MinLength:
			if pe == nil || pe.Problem != PINTooShort {
				t.Fatalf("Check(%q), %d characters after NFKC: %v, want too short", pin, n, err)
			}
		case pe != nil && (pe.Problem == PINTooLong || pe.Problem == PINTooShort):
			t.Fatalf("Check(%q), %d characters after NFKC: %v, but that is within %d to %d", pin, n, err, p.MinLength, p.MaxLength)
		}
		if again := p.Check(NormalizePIN(pin), barcode, preset, name); problemOf(again) != problemOf(err) {
			t.Fatalf("Check(%q) = %v, but of its normalised form %v", pin, err, again)
		}
	})
}

func problemOf(err error) PINProblem {
	var pe *PolicyError
	if errors.As(err, &pe) {
		return pe.Problem
	}
	return ""
}

// TestLongPINNotTruncated: a PIN at the default limit of 128 characters
// is hashed whole (argon2id, unlike bcrypt, has no 72-byte cut), so one
// that differs in its last character does not verify, and one character
// more is refused rather than cut to fit.
func TestLongPINNotTruncated(t *testing.T) {
	cfg := DefaultConfig()
	pin := strings.Repeat("圖書館借書", 25) + "abc" // 128 characters, 384 bytes
	if n := utf8.RuneCountInString(pin); n != cfg.PIN.MaxLength {
		t.Fatalf("the PIN has %d characters, want %d", n, cfg.PIN.MaxLength)
	}
	if err := cfg.PIN.Check(pin, "20240001", "", "Chan Tai Man"); err != nil {
		t.Fatalf("a PIN at the limit: %v", err)
	}
	if err := cfg.PIN.Check(pin+"d", "20240001", "", "Chan Tai Man"); problemOf(err) != PINTooLong {
		t.Fatalf("a PIN one over the limit: %v, want too long", err)
	}
	h := NewHasher(0)
	ctx := context.Background()
	hash, err := h.Hash(ctx, pin)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{pin[:len(pin)-1] + "d", pin[:len(pin)-3]} {
		if ok, err := h.Verify(ctx, hash, other); err != nil || ok {
			t.Errorf("Verify(%q...) = %v, %v: want false", other[len(other)-6:], ok, err)
		}
	}
	if ok, err := h.Verify(ctx, hash, pin); err != nil || !ok {
		t.Errorf("Verify(the PIN) = %v, %v", ok, err)
	}
}

// FuzzNormalizeBarcode: a barcode as typed or scanned (forms, SIP2, CSV)
// normalises to text without spaces or dashes, and normalising it again
// changes nothing, so every entrance finds the same patron or item.
func FuzzNormalizeBarcode(f *testing.F) {
	for _, s := range []string{"20240001", " 2024-0001 ", "２０２４０００１", "ｓ１００１", "lib7q", "B‐0001", "B–0001", "b－0001",
		"\xff\xfe", "a\x00b", "ß", "ǆ", "ﬀ", "\u00a0123\u2003", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeBarcode(s)
		if !utf8.ValidString(n) || strings.ContainsAny(n, " -\t\r\n") {
			t.Fatalf("NormalizeBarcode(%q) = %q", s, n)
		}
		if again := NormalizeBarcode(n); again != n {
			t.Fatalf("NormalizeBarcode not idempotent: %q gives %q, then %q", s, n, again)
		}
	})
}
