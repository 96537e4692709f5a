package library_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// TestNoRenewalBeforeDaysConfig proves the per-category setting
// no_renewal_before_days: off (0) by default, read from the file for the
// category it is given in, used by the renewal rule, and refused when
// negative.
func TestNoRenewalBeforeDaysConfig(t *testing.T) {
	load := func(json string) (library.Config, error) {
		path := filepath.Join(t.TempDir(), "carrel.json")
		if err := os.WriteFile(path, []byte(json), 0o600); err != nil {
			t.Fatal(err)
		}
		return library.LoadConfig(path)
	}
	def := library.DefaultConfig()
	for name, cat := range def.Categories {
		if cat.NoRenewalBeforeDays != 0 {
			t.Errorf("default %s no_renewal_before_days %d, want 0 (off)", name, cat.NoRenewalBeforeDays)
		}
	}
	c, err := load(`{"categories": {
		"student": {"barcode_pattern": "^[0-9]{8}$", "max_loans": 10, "loan_days": 14, "max_renewals": 2, "no_renewal_before_days": 3},
		"staff": {"barcode_pattern": "^[0-9A-Z]{4,12}$", "max_loans": 30, "loan_days": 28, "max_renewals": 3}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Categories["student"].NoRenewalBeforeDays; got != 3 {
		t.Errorf("student no_renewal_before_days %d, want 3", got)
	}
	if got := c.Categories["staff"].NoRenewalBeforeDays; got != 0 {
		t.Errorf("staff no_renewal_before_days %d, want 0", got)
	}
	loc := c.Location()
	now := library.NewDate(2026, time.November, 28).Time(loc).Add(10 * time.Hour)
	loan := library.Loan{DueAt: library.NewDate(2026, time.December, 8).EndOf(loc)}
	for cat, want := range map[string]library.Reason{"student": library.ReasonTooEarly, "staff": ""} {
		p := library.Patron{Category: cat, RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31)}
		err := c.CheckRenew(p, loan, now, 0)
		var got library.Reason
		if r, ok := err.(*library.Refusal); ok {
			got = r.Reason
		}
		if got != want {
			t.Errorf("%s renewing 10 days early: %v, want %q", cat, err, want)
		}
	}
	_, err = load(`{"categories": {"student": {"barcode_pattern": "^[0-9]{8}$", "max_loans": 10, "loan_days": 14, "no_renewal_before_days": -1}}}`)
	if err == nil || !strings.Contains(err.Error(), "category student") {
		t.Errorf("a negative no_renewal_before_days: %v, want a refusal naming the category", err)
	}
}
