package library_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// The hot paths of the domain, measured so that a regression shows in
// go test -bench: due dates over a calendar, overdue fines, the PIN policy
// and PIN normalisation. Each benchmark checks its answer once before the
// loop, so a benchmark of a wrong result fails instead of reporting a time.

// benchCalendar is the default configuration with a realistic Hong Kong
// calendar for 2026 and 2027: closed on Sundays, on the public holidays,
// and for a year-end closure from 24 December 2026 to 2 January 2027.
func benchCalendar(b *testing.B) *library.Config {
	b.Helper()
	cfg := library.DefaultConfig()
	cfg.ClosedWeekdays = []time.Weekday{time.Sunday}
	for _, s := range []string{
		"2026-01-01", "2026-02-17", "2026-02-18", "2026-02-19", "2026-04-03", "2026-04-04",
		"2026-04-06", "2026-04-07", "2026-05-01", "2026-05-25", "2026-06-19", "2026-07-01",
		"2026-09-26", "2026-10-01", "2026-10-19",
		"2026-12-24", "2026-12-25", "2026-12-26", "2026-12-28", "2026-12-29", "2026-12-30",
		"2026-12-31", "2027-01-01", "2027-01-02",
		"2027-02-06", "2027-02-08", "2027-02-09", "2027-03-26", "2027-03-27", "2027-03-29",
		"2027-04-05", "2027-05-01", "2027-05-13", "2027-06-09", "2027-07-01", "2027-09-16",
		"2027-10-01", "2027-10-08", "2027-12-25", "2027-12-27",
	} {
		d, err := library.ParseDate(s)
		if err != nil {
			b.Fatal(err)
		}
		cfg.ClosedDates = append(cfg.ClosedDates, d)
	}
	if err := cfg.Prepare(); err != nil {
		b.Fatal(err)
	}
	return &cfg
}

// BenchmarkDueAt works out the due date of a new loan: the end of the day
// the loan period ends, moved on past closed days.
func BenchmarkDueAt(b *testing.B) {
	cfg := benchCalendar(b)
	loc := cfg.Location()
	for _, bm := range []struct {
		name string
		from time.Time
		days int
		want time.Time
	}{
		// Monday 2 March 2026 + 14 days is Monday 16 March: open.
		{"open_day", time.Date(2026, 3, 2, 10, 0, 0, 0, loc), 14, time.Date(2026, 3, 16, 23, 59, 59, 0, loc)},
		// Friday 18 December + 14 days is 1 January 2027, inside the
		// year-end closure; then Sunday 3 January: due Monday 4 January.
		{"across_year_end_closure", time.Date(2026, 12, 18, 16, 30, 0, 0, loc), 14, time.Date(2027, 1, 4, 23, 59, 59, 0, loc)},
		// A staff loan of 28 days from 30 November ends on Monday 28
		// December, inside the closure: a week later, 4 January.
		{"staff_loan_into_closure", time.Date(2026, 11, 30, 9, 0, 0, 0, loc), 28, time.Date(2027, 1, 4, 23, 59, 59, 0, loc)},
	} {
		if got := cfg.DueAt(bm.from, bm.days); !got.Equal(bm.want) {
			b.Fatalf("%s: DueAt = %v, want %v", bm.name, got.In(loc), bm.want)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cfg.DueAt(bm.from, bm.days)
			}
		})
	}
}

// BenchmarkOverdueFine works out the fine of a loan as the borrowing record
// and check-in do: the days overdue in the library's zone, times the daily
// rate, never more than the cap (HKD 1 a day, HKD 50 at most).
func BenchmarkOverdueFine(b *testing.B) {
	cfg := benchCalendar(b)
	loc := cfg.Location()
	student, ok := cfg.Category("student")
	if !ok {
		b.Fatal("no student category")
	}
	due := time.Date(2026, 12, 14, 23, 59, 59, 0, loc)
	for _, bm := range []struct {
		name string
		now  time.Time
		want library.Money
	}{
		{"not_overdue", time.Date(2026, 12, 10, 12, 0, 0, 0, loc), 0},
		{"overdue_days=20_across_year_end", time.Date(2027, 1, 3, 12, 0, 0, 0, loc), 2000},
		{"overdue_days=400_capped", time.Date(2028, 1, 18, 12, 0, 0, 0, loc), 5000},
	} {
		if got := student.Fine(cfg.OverdueDays(due, bm.now)); got != bm.want {
			b.Fatalf("%s: fine %v, want %v", bm.name, got, bm.want)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				student.Fine(cfg.OverdueDays(due, bm.now))
			}
		})
	}
}

// BenchmarkPINPolicyCheck checks a PIN a patron chooses against the default
// policy: length after NFKC, the blocklist of 49,000 common passwords, and
// the patron's barcode, preset and name.
func BenchmarkPINPolicyCheck(b *testing.B) {
	policy := library.DefaultConfig().PIN
	const barcode, preset, name = "21034567", "21034567", "CHAN, Tai Man"
	long := strings.Repeat("violet tram harbour ", 7)[:128]
	for _, bm := range []struct {
		name string
		pin  string
		want library.PINProblem // "" when accepted
	}{
		{"typical", "violet tram harbour", ""},
		{"blocklisted", "iloveyou2", library.PINCommon},
		{"len=128", long, ""},
	} {
		// The first check also loads the blocklist; that happens once per
		// process, so it is kept out of the loop.
		err := policy.Check(bm.pin, barcode, preset, name)
		var pe *library.PolicyError
		switch {
		case bm.want == "" && err != nil:
			b.Fatalf("%s: refused: %v", bm.name, err)
		case bm.want != "" && (!errors.As(err, &pe) || pe.Problem != bm.want):
			b.Fatalf("%s: got %v, want %s", bm.name, err, bm.want)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				policy.Check(bm.pin, barcode, preset, name)
			}
		})
	}
}

// BenchmarkNormalizePIN puts a PIN in NFKC, as every sign-in and PIN change
// does before hashing or checking it.
func BenchmarkNormalizePIN(b *testing.B) {
	for _, bm := range []struct {
		name, pin, want string
	}{
		{"ascii", "21034567", "21034567"},
		{"full_width", "ｉｌｏｖｅｙｏｕ２", "iloveyou2"},
		{"chinese", "我在圖書館借了很多書", "我在圖書館借了很多書"},
		{"len=128", strings.Repeat("violet tram harbour ", 7)[:128], strings.Repeat("violet tram harbour ", 7)[:128]},
	} {
		if got := library.NormalizePIN(bm.pin); got != bm.want {
			b.Fatalf("%s: NormalizePIN = %q, want %q", bm.name, got, bm.want)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				library.NormalizePIN(bm.pin)
			}
		})
	}
}
