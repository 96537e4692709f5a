package demo

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// TestLegacyPreset checks that the printed preset is what R3 derives from
// the made-up HKID number, so the demo explains the rule truthfully.
func TestLegacyPreset(t *testing.T) {
	got, err := library.HKIDPreset(legacyHKID)
	if err != nil {
		t.Fatal(err)
	}
	if want := CaseOf(LegacyHKID).PIN; got != want {
		t.Errorf("HKIDPreset(legacy HKID) = %q, printed %q", got, want)
	}
}

func TestCutter(t *testing.T) {
	for _, tc := range []struct{ surname, want string }{
		{"Chan", "C43"}, {"Smith", "S65"}, {"Anderson", "A53"}, {"Quinn", "Q56"},
		{"Wong", "W66"}, {"O'Connor", "O26"}, {"Ng", "N4"}, {"Li", "L5"}, {"Xu", "X8"},
	} {
		if got := cutter(tc.surname); got != tc.want {
			t.Errorf("cutter(%q) = %q, want %q", tc.surname, got, tc.want)
		}
	}
}

func TestCallNumber(t *testing.T) {
	for _, tc := range []struct {
		class, cutter string
		year          int
		want          string
	}{
		{"QA76.9.D3", "C43", 2019, "QA76.9.D3 C43 2019"},
		{"HD31", "C43", 2019, "HD31 .C43 2019"},
	} {
		if got := callNumber(tc.class, tc.cutter, tc.year); got != tc.want {
			t.Errorf("callNumber(%q, %q, %d) = %q, want %q", tc.class, tc.cutter, tc.year, got, tc.want)
		}
	}
}
