package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// TestDeskSearchLongText proves, on each kind of database, that the desk's
// patron and item searches take a text of up to 200 characters (counted
// in characters, Chinese ones too, after trimming) and find what it
// names, and that a longer one (201 characters, and 60,000 × "a", which
// SQLite refused as "LIKE or GLOB pattern too complex", a 500) gets 422
// with a message beside the field, in English and in Traditional Chinese,
// and changes nothing.
func TestDeskSearchLongText(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			l, db := newLibraryOn(t, target.Fresh(t))
			desk := l.staffClient(l.staff("dee", library.RoleDesk))
			// A name and a title of exactly 200 characters, each a Chinese
			// character being one.
			name := strings.Repeat("陳", 20) + strings.Repeat("Chan Tai Man ", 13) + "Wong Ka Yan"
			title := strings.Repeat("圖書館", 10) + strings.Repeat("Reading Room ", 12) + "Kowloon Campus"
			for _, s := range []string{name, title} {
				if n := len([]rune(s)); n != library.MaxSearchLength {
					t.Fatalf("%q has %d characters, want %d", s, n, library.MaxSearchLength)
				}
			}
			p := l.patron("24031588", name, nil)
			l.patron("24031589", "Someone Else", nil)
			l.item("30000001", title)
			l.item("30000002", "Another Book")

			for _, s := range []struct{ path, text, want string }{
				{"/staff/patrons", "  " + name + "  ", p.Barcode},
				{"/staff/items", title + " ", "30000001"},
			} {
				res := desk.get(s.path + "?q=" + url.QueryEscape(s.text))
				if res.status != http.StatusOK {
					t.Fatalf("GET %s with %d characters: %d\n%.600s", s.path, len([]rune(s.text)), res.status, text(res.body))
				}
				mustContain(t, res.body, s.want)
				mustNotContain(t, res.body, "24031589", "30000002")
			}

			snap := copyLibrary(t, db)
			tooLong := []string{name + "x", strings.Repeat("a", 60_000), "  " + strings.Repeat("書", 201) + "  "}
			for _, path := range []string{"/staff/patrons", "/staff/items"} {
				for _, q := range tooLong {
					for _, lang := range []struct{ code, words string }{
						{"en", "A search can be at most 200 characters long"},
						{"zh-Hant-HK", "搜尋字詞最多 200 個字元"},
					} {
						desk.header.Set("Accept-Language", lang.code)
						res := desk.get(path + "?q=" + url.QueryEscape(q))
						if res.status != http.StatusUnprocessableEntity {
							t.Errorf("GET %s with %d characters (%s): %d, want 422\n%.600s", path, len([]rune(q)), lang.code, res.status, text(res.body))
							continue
						}
						mustContain(t, res.body, lang.words, `aria-invalid="true"`)
					}
				}
			}
			desk.header.Del("Accept-Language")
			if err := storage.Verify(l.ctx, snap, db); err != nil {
				t.Errorf("the refused searches changed the library: %v", err)
			}
		})
	}
}
