// Package i18n is Carrel's message catalogue: every word a patron reads, in
// English and in Traditional Chinese as written in Hong Kong, with money,
// dates and counts written the way each language writes them.
//
// Messages are looked up by key and may hold named placeholders such as
// {phone}; arguments come as name, value pairs. A message whose wording
// depends on a count has the forms key.one and key.other, chosen by the
// argument named n.
package i18n

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/carrel-library/carrel/internal/library"
)

// The language codes Carrel speaks, as used in the lang cookie and in <html lang>.
const (
	English            = "en"
	TraditionalChinese = "zh-Hant-HK"
)

// MissingMarker starts the text shown in place of a message that is not in
// the catalogue, so that tests can look for it on rendered pages.
const MissingMarker = "‹missing:"

// Clock is an instant shown as a time of day (14:05), in the zone it carries.
type Clock time.Time

// Catalogue holds the messages of every language Carrel speaks.
type Catalogue struct {
	printers []*Printer // English first: the fallback
	matcher  language.Matcher
}

// New returns the catalogue. It fails when the languages do not have
// exactly the same keys, so a missing translation stops start-up rather
// than showing a patron a marker.
func New() (*Catalogue, error) {
	enMsgs, err := merge(english, englishDesk, englishSessions, englishPager, englishCashUp, englishSafeguards, englishPINLimits, englishRenewGain, englishLoanRows, englishBlocks, englishDeskSafety)
	if err != nil {
		return nil, err
	}
	zhMsgs, err := merge(traditionalChinese, traditionalChineseDesk, traditionalChineseSessions, traditionalChinesePager, traditionalChineseCashUp, traditionalChineseSafeguards, traditionalChinesePINLimits, traditionalChineseRenewGain, traditionalChineseLoanRows, traditionalChineseBlocks, traditionalChineseDeskSafety)
	if err != nil {
		return nil, err
	}
	en := &Printer{code: English, msgs: enMsgs, plural: englishPlural, money: englishMoney, date: englishDate}
	zh := &Printer{code: TraditionalChinese, msgs: zhMsgs, plural: chinesePlural, money: chineseMoney, date: chineseDate}
	c := &Catalogue{printers: []*Printer{en, zh}}
	if err := sameKeys(en, zh); err != nil {
		return nil, err
	}
	c.matcher = language.NewMatcher([]language.Tag{language.English, language.MustParse(TraditionalChinese)})
	return c, nil
}

// merge joins a language's catalogue parts (My Account, the staff desk)
// into one map; a key in two parts is an error, so that one part cannot
// silently replace the other's message.
func merge(parts ...map[string]string) (map[string]string, error) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make(map[string]string, n)
	var dup []string
	for _, p := range parts {
		for k, v := range p {
			if _, ok := out[k]; ok {
				dup = append(dup, k)
			}
			out[k] = v
		}
	}
	if len(dup) > 0 {
		slices.Sort(dup)
		return nil, fmt.Errorf("i18n: keys in two catalogue parts: %s", strings.Join(dup, ", "))
	}
	return out, nil
}

// sameKeys reports the keys one language has and another lacks.
func sameKeys(a, b *Printer) error {
	var diff []string
	for k := range a.msgs {
		if _, ok := b.msgs[k]; !ok {
			diff = append(diff, b.code+" lacks "+k)
		}
	}
	for k := range b.msgs {
		if _, ok := a.msgs[k]; !ok {
			diff = append(diff, a.code+" lacks "+k)
		}
	}
	if len(diff) > 0 {
		slices.Sort(diff)
		return fmt.Errorf("i18n: catalogues differ: %s", strings.Join(diff, "; "))
	}
	return nil
}

// Printers returns a Printer for every language, English first.
func (c *Catalogue) Printers() []*Printer { return slices.Clone(c.printers) }

// Printer returns the Printer for a language code, or nil when Carrel does
// not speak it.
func (c *Catalogue) Printer(code string) *Printer {
	for _, p := range c.printers {
		if p.code == code {
			return p
		}
	}
	return nil
}

// Match chooses a language from an Accept-Language header: the best the
// browser and Carrel share, or English.
func (c *Catalogue) Match(acceptLanguage string) *Printer {
	_, i := language.MatchStrings(c.matcher, acceptLanguage)
	return c.printers[i]
}

// Keys returns every key of the catalogue, sorted.
func (c *Catalogue) Keys() []string {
	keys := make([]string, 0, len(c.printers[0].msgs))
	for k := range c.printers[0].msgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Has reports whether key can be looked up, directly or as a counted message.
func (c *Catalogue) Has(key string) bool { return c.printers[0].Has(key) }

// Printer writes messages in one language.
type Printer struct {
	code   string
	msgs   map[string]string
	plural func(n int) string // "one" or "other"
	money  func(library.Money) string
	date   func(library.Date) string
}

// Code returns the language code, e.g. "en" or "zh-Hant-HK".
func (p *Printer) Code() string { return p.code }

// Has reports whether key can be looked up, directly or as a counted message.
func (p *Printer) Has(key string) bool {
	if _, ok := p.msgs[key]; ok {
		return true
	}
	_, ok := p.msgs[key+".other"]
	return ok
}

// T returns the message for key with its placeholders filled from args,
// given as name, value pairs.
func (p *Printer) T(key string, args ...any) string {
	var b strings.Builder
	p.Expand(key, args, func(s string) { b.WriteString(s) }, func(v any) { b.WriteString(p.Format(v)) })
	return b.String()
}

// Expand walks the message for key, calling text for its literal parts and
// arg for each placeholder's value, so that a caller can escape the two
// differently (HTML pages insert ready-made links as arguments). A missing
// message or argument is written with MissingMarker.
func (p *Printer) Expand(key string, args []any, text func(string), arg func(any)) {
	msg, ok := p.msgs[key]
	if !ok {
		n, _ := lookup(args, "n")
		count, _ := n.(int)
		msg, ok = p.msgs[key+"."+p.plural(count)]
	}
	if !ok {
		text(MissingMarker + key + "›")
		return
	}
	for msg != "" {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(msg[open:], '}')
		if end < 0 {
			break
		}
		name := msg[open+1 : open+end]
		text(msg[:open])
		if v, found := lookup(args, name); found {
			arg(v)
		} else {
			text(MissingMarker + key + "{" + name + "}›")
		}
		msg = msg[open+end+1:]
	}
	text(msg)
}

// lookup finds the value of a named argument in name, value pairs.
func lookup(args []any, name string) (any, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if s, ok := args[i].(string); ok && s == name {
			return args[i+1], true
		}
	}
	return nil, false
}

// Format writes a value the way p's language writes it: money, dates and
// times of day have their own forms.
func (p *Printer) Format(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case library.Money:
		return p.money(v)
	case library.Date:
		return p.date(v)
	case Clock:
		return time.Time(v).Format("15:04")
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

// Money writes an amount in p's language: "HKD 62.00" or "港幣62.00元".
func (p *Printer) Money(m library.Money) string { return p.money(m) }

// Date writes a day in p's language: "28 Nov 2026" or "2026年11月28日".
func (p *Printer) Date(d library.Date) string { return p.date(d) }

func englishPlural(n int) string {
	if n == 1 {
		return "one"
	}
	return "other"
}

// Chinese nouns do not change with the count.
func chinesePlural(int) string { return "other" }

func englishMoney(m library.Money) string { return m.String() }

func chineseMoney(m library.Money) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s港幣%d.%02d元", sign, m/100, m%100)
}

func englishDate(d library.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %s %d", d.Day(), d.Month().String()[:3], d.Year())
}

func chineseDate(d library.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
}
