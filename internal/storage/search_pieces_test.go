package storage

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// longSearchText is n characters of text with many distinct three-character
// pieces (tens of thousands in 45,000 characters) and many repeated ones:
// Latin and Chinese letters, quotes and the LIKE wildcards, drawn by a
// seeded generator so that every run sees the same text.
func longSearchText(n int) string {
	r := []rune(`abcdefghijklmnopqrstuvwxyz陳大文圖書館"%_ `)
	rng := rand.New(rand.NewPCG(13, 11))
	var b strings.Builder
	for range n {
		b.WriteRune(r[rng.IntN(len(r))])
	}
	return b.String()
}

// TestSearchMatchPiecesOnce proves that the full-text query of a long
// search text asks for each distinct three-character piece once, in the
// order the pieces first appear, with its quotes doubled; and that the
// longest text the desk takes makes a query SQLite can run (its own test
// is TestDeskSearchLongText).
func TestSearchMatchPiecesOnce(t *testing.T) {
	sqlite := &tx{d: sqliteDialect}
	for _, text := range []string{strings.Repeat("a", 60_000), longSearchText(45_000), longSearchText(200)} {
		r := []rune(strings.ToLower(text))
		var want []string
		seen := map[string]bool{}
		for i := 0; i+3 <= len(r); i++ {
			p := string(r[i : i+3])
			if !seen[p] {
				seen[p] = true
				want = append(want, `"`+strings.ReplaceAll(p, `"`, `""`)+`"`)
			}
		}
		got := strings.Split(sqlite.searchMatch(text), " AND ")
		if len(got) != len(want) {
			t.Fatalf("%d characters: %d pieces, want the %d distinct ones", utf8.RuneCountInString(text), len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%d characters: piece %d is %s, want %s", utf8.RuneCountInString(text), i, got[i], want[i])
			}
		}
		t.Logf("%d characters: %d distinct pieces", utf8.RuneCountInString(text), len(want))
	}
	if got := sqlite.searchMatch(`a"b"c`); got != `"a""b" AND """b""" AND "b""c"` {
		t.Errorf(`searchMatch(a"b"c) = %s`, got)
	}
	for _, text := range []string{"ab", "abc\x00", ""} {
		if got := sqlite.searchMatch(text); got != "" {
			t.Errorf("searchMatch(%q) = %q, want none (the LIKE reads every row)", text, got)
		}
	}
	if got := (&tx{d: postgresDialect}).searchMatch("abcdef"); got != "" {
		t.Errorf("on PostgreSQL searchMatch = %q, want none (pg_trgm indexes the LIKE itself)", got)
	}
}

// BenchmarkSearchMatch times the full-text query of desk search texts: the
// longest the desk takes (200 characters) and, for the record of how the
// pieces are built, one of 45,000 characters that the desk now refuses
// before it gets here (5.3 s over HTTP before the pieces were kept in a set).
func BenchmarkSearchMatch(b *testing.B) {
	sqlite := &tx{d: sqliteDialect}
	for _, n := range []int{200, 45_000} {
		text := longSearchText(n)
		b.Run("chars="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				sqlite.searchMatch(text)
			}
		})
	}
}
