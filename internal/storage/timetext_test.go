package storage

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// The direct reading and writing of stored instants agree with the time
// package on every instant, at the edges of months, leap days and years.
func TestTimeTextMatchesTimePackage(t *testing.T) {
	instants := []time.Time{
		{},
		time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(2026, 11, 28, 10, 0, 0, 123456789, time.FixedZone("HKT", 8*3600)),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		instants = append(instants, time.Unix(r.Int64N(300*365*86400)-100*365*86400, r.Int64N(1e9)))
	}
	for _, in := range instants {
		want := in.UTC().Format(timeLayout)
		if got := formatTimeText(in); got != want {
			t.Fatalf("formatTimeText(%v) = %q, want %q", in, got, want)
		}
		wantT, err := time.Parse(timeLayout, want)
		if err != nil {
			t.Fatal(err)
		}
		gotT, ok := parseTimeText(want)
		if !ok || !reflect.DeepEqual(gotT, wantT) {
			t.Fatalf("parseTimeText(%q) = %v, %v; want %v", want, gotT, ok, wantT)
		}
	}
}

// Text that is not an instant in the stored form is left to time.Parse,
// which refuses it with its own explanation.
func TestParseTimeRefuses(t *testing.T) {
	for _, s := range []string{
		"", "2026-11-28", "2026-11-28T10:00:00Z", "2026-11-28T10:00:00.000000+08:00",
		"2026-02-29T10:00:00.000000Z", "2026-13-01T10:00:00.000000Z", "2026-11-31T10:00:00.000000Z",
		"2026-11-28T24:00:00.000000Z", "2026-11-28T10:60:00.000000Z", "2026-11-28T10:00:60.000000Z",
		"2026-11-28T10:00:00.00000aZ", "+026-11-28T10:00:00.000000Z", "2026-11-28 10:00:00.000000Z",
	} {
		if tm, ok := parseTimeText(s); ok {
			t.Errorf("parseTimeText(%q) = %v, want refused", s, tm)
		}
		if tm, err := parseTime(s); err == nil {
			t.Errorf("parseTime(%q) = %v, want an error", s, tm)
		}
	}
}

// FuzzParseTime: the direct reader accepts exactly what time.Parse accepts
// in the stored form, and reads the same instant.
func FuzzParseTime(f *testing.F) {
	f.Add("2026-11-28T10:00:00.123456Z")
	f.Add("2024-02-29T23:59:59.999999Z")
	f.Add("2026-02-29T10:00:00.000000Z")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseTimeText(s)
		want, err := time.Parse(timeLayout, s)
		if ok && (err != nil || !reflect.DeepEqual(got, want)) {
			t.Fatalf("parseTimeText(%q) = %v, time.Parse = %v, %v", s, got, want, err)
		}
		if !ok && err == nil && len(s) == len(timeLayout) && s == want.Format(timeLayout) {
			t.Fatalf("parseTimeText refused %q, which time.Parse reads as %v", s, want)
		}
	})
}

// BenchmarkParseTime: reading a stored instant, by the direct reader and by
// time.Parse.
func BenchmarkParseTime(b *testing.B) {
	const s = "2026-11-28T10:00:00.123456Z"
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if _, err := parseTime(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("time.Parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := time.Parse(timeLayout, s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFormatTime: writing an instant for a query, directly and by
// Time.Format.
func BenchmarkFormatTime(b *testing.B) {
	t := time.Date(2026, 11, 28, 10, 0, 0, 123456789, time.UTC)
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			_ = formatTimeText(t)
		}
	})
	b.Run("Time.Format", func(b *testing.B) {
		for b.Loop() {
			_ = t.UTC().Format(timeLayout)
		}
	})
}
