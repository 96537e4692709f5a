package library

import (
	"testing"
	"time"
)

func hk(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Hong_Kong")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDueAt(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ClosedDates = []Date{NewDate(2026, time.December, 25), NewDate(2026, time.December, 26)}
	loc := hk(t)
	tests := []struct {
		name string
		from time.Time
		days int
		want time.Time
	}{
		// 2026-11-28 is a Saturday; +14 is Saturday 12 December, open.
		{"open day", time.Date(2026, 11, 28, 10, 0, 0, 0, loc), 14, time.Date(2026, 12, 12, 23, 59, 59, 0, loc)},
		// +15 is Sunday 13 December, closed: moves to Monday.
		{"Sunday moves to Monday", time.Date(2026, 11, 28, 10, 0, 0, 0, loc), 15, time.Date(2026, 12, 14, 23, 59, 59, 0, loc)},
		// Friday 11 December + 14 = Friday 25 December (holiday), then Saturday 26 (holiday), Sunday 27: Monday 28.
		{"holidays and Sunday", time.Date(2026, 12, 11, 9, 0, 0, 0, loc), 14, time.Date(2026, 12, 28, 23, 59, 59, 0, loc)},
		// 23:30 UTC on 27 November is 07:30 on 28 November in Hong Kong: the library's day counts.
		{"library's zone decides the day", time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC), 14, time.Date(2026, 12, 12, 23, 59, 59, 0, loc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cfg.DueAt(tt.from, tt.days); !got.Equal(tt.want) {
				t.Errorf("DueAt(%v, %d) = %v, want %v", tt.from, tt.days, got.In(loc), tt.want)
			}
		})
	}
}

func TestOverdueDaysAndFines(t *testing.T) {
	cfg := DefaultConfig()
	loc := hk(t)
	due := time.Date(2026, 11, 20, 23, 59, 59, 0, loc)
	student, _ := cfg.Category("student")
	tests := []struct {
		now       time.Time
		wantDays  int
		wantFine  Money
		wantUntil int
	}{
		{time.Date(2026, 11, 18, 12, 0, 0, 0, loc), 0, 0, 2},
		{time.Date(2026, 11, 20, 23, 59, 59, 0, loc), 0, 0, 0},
		{time.Date(2026, 11, 21, 0, 0, 0, 0, loc), 1, 100, -1},
		{time.Date(2026, 11, 24, 9, 0, 0, 0, loc), 4, 400, -4},
		{time.Date(2026, 12, 30, 9, 0, 0, 0, loc), 40, 4000, -40},
		{time.Date(2027, 3, 1, 9, 0, 0, 0, loc), 101, 5000, -101}, // capped at HKD 50.00
	}
	for _, tt := range tests {
		days := cfg.OverdueDays(due, tt.now)
		if days != tt.wantDays {
			t.Errorf("OverdueDays at %v = %d, want %d", tt.now, days, tt.wantDays)
		}
		if got := student.Fine(days); got != tt.wantFine {
			t.Errorf("Fine(%d) = %v, want %v", days, got, tt.wantFine)
		}
		if got := cfg.DaysUntil(due, tt.now); got != tt.wantUntil {
			t.Errorf("DaysUntil at %v = %d, want %d", tt.now, got, tt.wantUntil)
		}
	}
}

func TestPresetRuleFor(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		day  Date
		want string
	}{
		{NewDate(2005, time.January, 3), PresetHKID},
		{NewDate(2018, time.July, 31), PresetHKID},
		{NewDate(2018, time.August, 1), PresetBarcode},
		{NewDate(2026, time.November, 28), PresetBarcode},
	}
	for _, tt := range tests {
		if got := cfg.PresetRuleFor(tt.day); got != tt.want {
			t.Errorf("PresetRuleFor(%v) = %q, want %q", tt.day, got, tt.want)
		}
	}
	cfg.PresetRules = []PresetRule{{From: NewDate(2020, time.January, 1), Rule: PresetBarcode}}
	if got := cfg.PresetRuleFor(NewDate(2019, time.December, 31)); got != "" {
		t.Errorf("a day no rule covers gave %q, want none", got)
	}
}

func TestNormalizeBarcode(t *testing.T) {
	tests := map[string]string{
		" 2103 4567 ":  "21034567",
		"2103-4567":    "21034567",
		"s12ab":        "S12AB",
		"２１０３４５６７":     "21034567",
		"\t21034567\n": "21034567",
	}
	for in, want := range tests {
		if got := NormalizeBarcode(in); got != want {
			t.Errorf("NormalizeBarcode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigRefusesNonsense(t *testing.T) {
	for name, mutate := range map[string]func(*Config){
		"zone":         func(c *Config) { c.TimeZone = "Mars/Olympus" },
		"pattern":      func(c *Config) { c.Categories["student"] = Category{BarcodePattern: "([", LoanDays: 1} },
		"preset rule":  func(c *Config) { c.PresetRules = []PresetRule{{Rule: "birthday"}} },
		"always shut":  func(c *Config) { c.ClosedWeekdays = []time.Weekday{0, 1, 2, 3, 4, 5, 6} },
		"pin lengths":  func(c *Config) { c.PIN.MaxLength = 4 },
		"loan days":    func(c *Config) { c.Categories["staff"] = Category{BarcodePattern: ".", LoanDays: 0} },
		"idle timeout": func(c *Config) { c.Session.IdleTimeout = 0 },
	} {
		c := DefaultConfig()
		c.Categories = map[string]Category{"student": c.Categories["student"], "staff": c.Categories["staff"]}
		mutate(&c)
		if err := c.Prepare(); ErrorCode(err) != EINVALID {
			t.Errorf("%s: Prepare() = %v, want an EINVALID error", name, err)
		}
	}
}
