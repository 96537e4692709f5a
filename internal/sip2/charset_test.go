package sip2

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// TestFieldLen proves where a long field is cut: at 255 bytes in UTF-8,
// never inside a character of two, three or four bytes; at 255
// characters in a single-byte character set.
func TestFieldLen(t *testing.T) {
	for _, tt := range []struct {
		name   string
		v      string
		single bool
		want   int
	}{
		{"short", "Call to Arms", false, 12},
		{"255 bytes", strings.Repeat("a", 255), false, 255},
		{"ASCII", strings.Repeat("a", 300), false, 255},
		{"two-byte", strings.Repeat("é", 200), false, 254},
		{"three-byte", strings.Repeat("書", 100), false, 255},
		{"four-byte after one", "a" + strings.Repeat("𠀀", 100), false, 253},
		{"single-byte set, two-byte", strings.Repeat("é", 300), true, 510},
		{"single-byte set, 255 characters in more bytes", strings.Repeat("é", 255), true, 510},
	} {
		got := fieldLen(tt.v, tt.single)
		if got != tt.want || !utf8.ValidString(tt.v[:got]) {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
		if got != fieldLen([]byte(tt.v), tt.single) {
			t.Errorf("%s: string and bytes cut differently", tt.name)
		}
	}
}

// TestEncodedReplyAllocatesNothing proves a reply written in code page 850
// costs no allocation once its buffers have grown, as a UTF-8 one.
func TestEncodedReplyAllocatesNothing(t *testing.T) {
	r := reply{loc: time.UTC, cs: charmap.CodePage850}
	title := strings.Repeat("é", 300)
	build := func() {
		r.start("64")
		r.field("AE", "Zoë Ng 陳大文")
		r.field("AJ", title)
		r.finish(1, true)
	}
	build()
	if n := testing.AllocsPerRun(100, build); n != 0 {
		t.Errorf("%v allocations per reply", n)
	}
	if got := string(r.b[:len("64AEZo\x89 Ng ???|")]); got != "64AEZo\x89 Ng ???|" {
		t.Errorf("reply %q", got)
	}
}
