package demo

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/carrel-library/carrel/internal/library"
)

// numItems is how many items (copies) the demo library holds.
const numItems = 3000

// Where items are shelved.
const (
	locSocial    = "Main Library 2/F" // B-P classes: social sciences, business, languages
	locScience   = "Main Library 3/F" // Q-T classes: science, medicine, technology
	locChinese   = "Chinese Collection"
	locHongKong  = "Hong Kong Collection"
	locReserve   = "Reserve Collection" // extra copies of course textbooks
	itemBarcodes = "31234"              // the library's prefix on item barcodes
)

// work is one title; the library may hold several copies of it.
type work struct {
	title, author, class, cutter, location string
	year                                   int
}

// collection plans the items: a few well-known works, then works drawn
// from the subject lists, some in several copies, until numItems copies.
func (g *gen) collection() {
	// Acquisition numbers run on with small gaps, where copies were lost
	// or discarded before the library's current system.
	next := 100000 + g.rng.IntN(900)
	add := func(title, author, callNumber, location string) {
		next += 1 + g.rng.IntN(3)
		it := &library.Item{
			Barcode: fmt.Sprintf("%s%09d", itemBarcodes, next), Title: title, Author: author,
			CallNumber: callNumber, Location: location,
			// A few worn-out copies are kept for history but not lent.
			Withdrawn: g.rng.IntN(150) == 0,
		}
		g.items = append(g.items, it)
	}
	for _, c := range classics {
		add(c.title, c.author, c.callNumber, c.location)
		add(c.title, c.author, c.callNumber+" c.2", c.location)
		g.titles[c.title] = true
	}
	for len(g.items) < numItems {
		w := g.work()
		call := callNumber(w.class, w.cutter, w.year)
		copies := 1
		switch r := g.rng.IntN(100); {
		case r < 4:
			copies = 3
		case r < 14:
			copies = 2
		}
		for c := 1; c <= copies && len(g.items) < numItems; c++ {
			if c == 1 {
				add(w.title, w.author, call, w.location)
				continue
			}
			loc := w.location
			// A recent textbook's second copy goes on reserve for the course.
			if c == 2 && w.year >= g.today.Year()-5 && w.location != locChinese {
				loc = locReserve
			}
			add(w.title, w.author, fmt.Sprintf("%s c.%d", call, c), loc)
		}
	}
}

// work draws a title not in the collection yet (or, after a few tries, one
// by another author: libraries do hold several books called "Marketing").
func (g *gen) work() work {
	var w work
	for try := 0; try < 6; try++ {
		switch r := g.rng.IntN(100); {
		case r < 15:
			w = g.chineseWork()
		case r < 18:
			w = g.hongKongWork()
		default:
			w = g.englishWork()
		}
		if !g.titles[w.title] {
			break
		}
	}
	g.titles[w.title] = true
	return w
}

func (g *gen) englishWork() work {
	total := 0
	for _, s := range subjects {
		total += s.weight
	}
	r := g.rng.IntN(total)
	var s subject
	for _, s = range subjects {
		if r < s.weight {
			break
		}
		r -= s.weight
	}
	t := s.topics[g.rng.IntN(len(s.topics))]
	pattern := generalPatterns[g.rng.IntN(len(generalPatterns))]
	if g.rng.IntN(5) < 2 {
		pattern = s.patterns[g.rng.IntN(len(s.patterns))]
	}
	year := g.pubYear()
	title := capitalise(fmt.Sprintf(pattern, t.name))
	if g.rng.IntN(7) == 0 {
		title += fmt.Sprintf(" (%s ed.)", ordinal(2+g.rng.IntN(5)))
	}
	author, surname := g.englishAuthor()
	loc := locSocial
	if strings.ContainsRune("QRST", rune(t.class[0])) {
		loc = locScience
	}
	return work{title: title, author: author, class: t.class, cutter: cutter(surname), location: loc, year: year}
}

func (g *gen) hongKongWork() work {
	t := hongKongStudies[g.rng.IntN(len(hongKongStudies))]
	author, surname := g.englishAuthor()
	return work{title: t.name, author: author, class: t.class, cutter: cutter(surname), location: locHongKong, year: g.pubYear()}
}

func (g *gen) chineseWork() work {
	t := chineseTopics[g.rng.IntN(len(chineseTopics))]
	title := t.name + chineseSuffixes[g.rng.IntN(len(chineseSuffixes))]
	if g.rng.IntN(10) == 0 {
		title += "（修訂版）"
	}
	sur := chineseSurnames[g.rng.IntN(len(chineseSurnames))]
	author := sur.hanzi + chineseGiven[g.rng.IntN(len(chineseGiven))]
	if g.rng.IntN(6) == 0 {
		author += " 主編"
	}
	return work{title: title, author: author, class: t.class, cutter: cutter(sur.pinyin), location: locChinese, year: g.pubYear()}
}

// englishAuthor returns an author in catalogue form ("Miller, Robert J.",
// "Chan, Siu Ming") and the surname to cutter.
func (g *gen) englishAuthor() (author, surname string) {
	if g.rng.IntN(5) < 2 {
		surname = surnames[g.rng.IntN(len(surnames))]
		first, second := givenMale1, givenMale2
		if g.rng.IntN(2) == 0 {
			first, second = givenFemale1, givenFemale2
		}
		a, b := first[g.rng.IntN(len(first))], second[g.rng.IntN(len(second))]
		if a == b {
			b = second[(slices.Index(second, b)+1)%len(second)]
		}
		return fmt.Sprintf("%s, %s %s", surname, a, b), surname
	}
	surname = westernSurnames[g.rng.IntN(len(westernSurnames))]
	author = surname + ", " + westernGiven[g.rng.IntN(len(westernGiven))]
	if g.rng.IntN(2) == 0 {
		author += " " + string(rune('A'+g.rng.IntN(26))) + "."
	}
	return author, surname
}

// pubYear leans to recent years, as an academic collection does.
func (g *gen) pubYear() int {
	return max(g.today.Year()-int(g.rng.ExpFloat64()*7), 1985)
}

// hasCutter matches an LC class that already carries a topical cutter
// ("QA76.9.D3"): the author's cutter then follows after a space, not a point.
var hasCutter = regexp.MustCompile(`\.[A-Z]`)

// callNumber writes an LC call number: "QA76.9.D3 C43 2019", "HD31 .C43 2019".
func callNumber(class, cutter string, year int) string {
	if hasCutter.MatchString(class) {
		return fmt.Sprintf("%s %s %d", class, cutter, year)
	}
	return fmt.Sprintf("%s .%s %d", class, cutter, year)
}

// cutter gives a surname's Cutter number after the Library of Congress's
// Cutter table: the initial, then a digit for the second letter and one
// for the third ("Chan" is C43, "Smith" S65, "Anderson" A53).
func cutter(surname string) string {
	s := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, strings.ToLower(surname))
	if s == "" {
		return ""
	}
	type step struct {
		from  byte
		digit byte
	}
	// Each table gives the digit for a second letter at or after from.
	var table []step
	second := 1
	switch c := s[0]; {
	case strings.IndexByte("aeiou", c) >= 0:
		table = []step{{'a', '2'}, {'d', '3'}, {'l', '4'}, {'n', '5'}, {'p', '6'}, {'r', '7'}, {'s', '8'}, {'u', '9'}}
	case c == 's':
		table = []step{{'a', '2'}, {'c', '3'}, {'e', '4'}, {'h', '5'}, {'m', '6'}, {'t', '7'}, {'u', '8'}, {'w', '9'}}
	case c == 'q' && len(s) > 2 && s[1] == 'u':
		second = 2
		table = []step{{'a', '3'}, {'e', '4'}, {'i', '5'}, {'o', '6'}, {'r', '7'}, {'t', '8'}, {'y', '9'}}
	default:
		table = []step{{'a', '3'}, {'e', '4'}, {'i', '5'}, {'o', '6'}, {'r', '7'}, {'u', '8'}, {'y', '9'}}
	}
	out := []byte{s[0] - 'a' + 'A'}
	if second >= len(s) {
		return string(out)
	}
	d := table[0].digit
	for _, st := range table {
		if s[second] >= st.from {
			d = st.digit
		}
	}
	out = append(out, d)
	if second+1 < len(s) {
		// The expansion digit for the next letter.
		out = append(out, "33334444555566677778889999"[s[second+1]-'a'])
	}
	return string(out)
}

// capitalise upper-cases a title's first letter ("the Internet of Things").
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// ordinal writes 2 as "2nd", 3 as "3rd" and so on up to 9.
func ordinal(n int) string {
	switch n {
	case 2:
		return "2nd"
	case 3:
		return "3rd"
	}
	return fmt.Sprintf("%dth", n)
}
