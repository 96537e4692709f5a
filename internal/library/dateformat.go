package library

import (
	"strings"
	"time"
)

// The date formats staff may read and type dates in (Config.DateFormat).
const (
	DateFormatDMY = "DD/MM/YYYY" // Hong Kong, the United Kingdom: 31/08/2027
	DateFormatMDY = "MM/DD/YYYY" // the United States: 08/31/2027
	DateFormatISO = "YYYY-MM-DD" // ISO 8601: 2027-08-31
)

// dateLayouts are the Go layouts of the date formats.
var dateLayouts = map[string]string{
	DateFormatDMY: "02/01/2006",
	DateFormatMDY: "01/02/2006",
	DateFormatISO: dateLayout,
}

// prepareDates checks the date format and the categories' card validity.
func (c *Config) prepareDates() error {
	if c.DateFormat == "" {
		c.DateFormat = DateFormatDMY
	}
	if _, ok := dateLayouts[c.DateFormat]; !ok {
		return Errorf(EINVALID, "date_format %q: want %q, %q or %q", c.DateFormat, DateFormatDMY, DateFormatMDY, DateFormatISO)
	}
	return nil
}

// FormatDateInput writes d as staff type it in a date field, in the
// library's date format; "" for the zero Date.
func (c *Config) FormatDateInput(d Date) string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(dateLayouts[c.dateFormat()])
}

func (c *Config) dateFormat() string {
	if _, ok := dateLayouts[c.DateFormat]; ok {
		return c.DateFormat
	}
	return DateFormatDMY
}

// ParseDateInput reads a date typed by staff: in the library's date
// format (with one-digit days and months allowed, 1/9/2027) or as an ISO
// date, 2027-09-01. Surrounding spaces are ignored; the empty string gives
// the zero Date. Anything else, or a day that does not exist (31/02/2027),
// is EINVALID.
func (c *Config) ParseDateInput(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	if t, err := time.Parse(dateLayout, s); err == nil {
		return Date{t}, nil
	}
	layout := dateLayouts[c.dateFormat()]
	loose := strings.NewReplacer("02", "2", "01", "1").Replace(layout)
	for _, l := range []string{layout, loose} {
		if t, err := time.Parse(l, s); err == nil && t.Year() >= 1900 {
			return Date{t}, nil
		}
	}
	return Date{}, Errorf(EINVALID, "%q is not a date in the form %s or YYYY-MM-DD", s, c.dateFormat())
}

// AddMonths returns the day n months after d, the last day of the month
// when that month is shorter (31 Jan plus one month is 28 or 29 Feb).
func (d Date) AddMonths(n int) Date {
	y, m, day := d.t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return NewDate(first.Year(), first.Month(), min(day, last))
}

// DefaultExpiry is the last day a card of the named category is valid
// when registered on day registered: the category's fixed last day while
// it is still ahead, else the day before the same day CardValidMonths
// later. The zero Date (no expiry) when the category sets neither, or is
// not configured.
func (c *Config) DefaultExpiry(category string, registered Date) Date {
	cat, ok := c.Category(category)
	switch {
	case !ok:
		return Date{}
	case !cat.CardValidUntil.IsZero() && !cat.CardValidUntil.Before(registered):
		return cat.CardValidUntil
	case cat.CardValidMonths > 0:
		return registered.AddMonths(cat.CardValidMonths).AddDays(-1)
	}
	return Date{}
}
