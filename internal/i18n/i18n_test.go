package i18n_test

import (
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

func catalogue(t *testing.T) *i18n.Catalogue {
	t.Helper()
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err) // New refuses catalogues whose keys differ
	}
	return c
}

// TestEveryLanguageComplete proves both languages have every key, with
// the same placeholders, and no message is left empty.
func TestEveryLanguageComplete(t *testing.T) {
	c := catalogue(t)
	en, zh := c.Printer(i18n.English), c.Printer(i18n.TraditionalChinese)
	if en == nil || zh == nil {
		t.Fatal("a language is missing")
	}
	for _, k := range c.Keys() {
		if !zh.Has(k) {
			t.Errorf("zh-Hant-HK lacks %s", k)
		}
		var enArgs, zhArgs []string
		collect := func(p *i18n.Printer, into *[]string) string {
			var b strings.Builder
			p.Expand(k, nil, func(s string) {
				if name, ok := strings.CutPrefix(s, i18n.MissingMarker+k+"{"); ok {
					*into = append(*into, strings.TrimSuffix(name, "}›"))
					return
				}
				b.WriteString(s)
			}, nil)
			return b.String()
		}
		if collect(en, &enArgs) == "" && len(enArgs) == 0 {
			t.Errorf("en %s is empty", k)
		}
		if collect(zh, &zhArgs) == "" && len(zhArgs) == 0 {
			t.Errorf("zh-Hant-HK %s is empty", k)
		}
		// English may drop {n} in a .one form ("renewed once"); Chinese has one form.
		if !strings.HasSuffix(k, ".one") && strings.Join(sorted(enArgs), ",") != strings.Join(sorted(zhArgs), ",") {
			t.Errorf("%s: placeholders differ: en %v, zh %v", k, enArgs, zhArgs)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestFormatting(t *testing.T) {
	c := catalogue(t)
	en, zh := c.Printer(i18n.English), c.Printer(i18n.TraditionalChinese)
	d := library.NewDate(2026, time.November, 28)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"en date", en.Date(d), "28 Nov 2026"},
		{"zh date", zh.Date(d), "2026年11月28日"},
		{"en money", en.Money(6200), "HKD 62.00"},
		{"zh money", zh.Money(6200), "港幣62.00元"},
		{"zh money cents", zh.Money(5), "港幣0.05元"},
		{"clock", en.Format(i18n.Clock(time.Date(2026, 11, 28, 9, 5, 0, 0, time.UTC))), "09:05"},
		{"en one", en.T("due.overdue", "n", 1), "1 day overdue"},
		{"en other", en.T("due.overdue", "n", 4), "4 days overdue"},
		{"zh counted", zh.T("due.overdue", "n", 4), "逾期 4 天"},
		{"en renewals once", en.T("reason.renewal_limit", "n", 1), "already renewed once, the limit"},
		{"en renewals twice", en.T("reason.renewal_limit", "n", 2), "already renewed 2 times, the limit"},
		{"args", en.T("notice.fines_over", "balance", library.Money(6200), "threshold", library.Money(5000)),
			"You cannot borrow or renew because HKD 62.00 in fines is over the HKD 50.00 limit: pay at the library counter."},
		{"zh args", zh.T("notice.expired", "date", library.NewDate(2026, 8, 31)), "你的帳戶已於2026年8月31日到期，暫時不能借書或續借：請到圖書館辦理續期。"},
		{"missing key", en.T("no.such.key"), i18n.MissingMarker + "no.such.key›"},
		{"missing arg", en.T("due.in_days", "n", 3, "x", 1), "due in 3 days"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if got := en.T("account.select_item"); !strings.Contains(got, i18n.MissingMarker) {
		t.Errorf("a missing argument is not marked: %q", got)
	}
}

func TestMatch(t *testing.T) {
	c := catalogue(t)
	for accept, want := range map[string]string{
		"":                        i18n.English,
		"en-GB,en;q=0.9":          i18n.English,
		"zh-Hant-HK":              i18n.TraditionalChinese,
		"zh-HK":                   i18n.TraditionalChinese,
		"zh-TW,zh;q=0.8":          i18n.TraditionalChinese,
		"de-DE":                   i18n.English,
		"fr;q=0.9, zh-HK;q=0.8":   i18n.TraditionalChinese,
		"en;q=0.5, zh-Hant;q=0.9": i18n.TraditionalChinese,
	} {
		if got := c.Match(accept).Code(); got != want {
			t.Errorf("Match(%q) = %s, want %s", accept, got, want)
		}
	}
	if c.Printer("xx") != nil {
		t.Error("Printer of an unknown language is not nil")
	}
}
