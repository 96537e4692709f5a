package library

import (
	"slices"
	"time"
)

// IsOpen reports whether the library is open on day d.
func (c *Config) IsOpen(d Date) bool {
	return !slices.Contains(c.ClosedWeekdays, d.Weekday()) && !slices.Contains(c.ClosedDates, d)
}

// NextOpenDay returns d when the library is open that day, or else the first
// open day after it.
func (c *Config) NextOpenDay(d Date) Date {
	// Prepare refuses a week with no open day, and a year of closed dates
	// would be a configuration error; stop looking after two years.
	for i := 0; i < 731 && !c.IsOpen(d); i++ {
		d = d.AddDays(1)
	}
	return d
}

// DueAt returns when a loan of the given number of days, starting at from,
// falls due: the end of that day in the library's time zone, moved on to the
// next open day when the library is closed.
func (c *Config) DueAt(from time.Time, days int) time.Time {
	return c.NextOpenDay(c.Today(from).AddDays(days)).EndOf(c.Location())
}

// OverdueDays returns how many days a loan due at due is overdue at now;
// 0 when it is not overdue.
func (c *Config) OverdueDays(due, now time.Time) int {
	if !now.After(due) {
		return 0
	}
	return max(c.Today(now).DaysSince(c.Today(due)), 0)
}

// DaysUntil returns the number of days from now's day to due's day:
// 0 for due today, 1 for tomorrow, negative when overdue.
func (c *Config) DaysUntil(due, now time.Time) int {
	return c.Today(due).DaysSince(c.Today(now))
}

// Fine returns the overdue fine for a loan overdue by the given days:
// the daily rate times the days, never more than the cap.
func (cat Category) Fine(overdueDays int) Money {
	if overdueDays <= 0 {
		return 0
	}
	return min(Money(overdueDays)*cat.FinePerDay, cat.FineCap)
}
