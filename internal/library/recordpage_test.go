package library_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// TestBorrowingRecordPage proves that a record showing one page of its
// loans shows exactly that page of the whole record, with the whole
// record's totals: for a patron with 23 loans (overdue ones spread over
// the first pages, one far overdue and capped, one due earlier today and
// so not overdue, two due on the same instant), pages of 5 are the whole
// record's loans 5 at a time, each with the same figures; the count, the
// overdue count and the fines accruing are the whole record's on every
// page; a page beyond the last is the last, and a page before the first
// is the first.
func TestBorrowingRecordPage(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		loc := f.svc.Config().Location()
		p := f.patron("21034567", nil)
		out := f.now.Add(-60 * 24 * time.Hour)
		day := func(d int) time.Time { return time.Date(2026, 11, 28+d, 23, 59, 59, 0, loc) }
		dues := []time.Time{day(-90), day(-12), day(-12), day(-5), day(-3), day(-1), f.now.Add(-time.Hour)}
		for d := 1; len(dues) < 23; d++ {
			dues = append(dues, day(d))
		}
		for i, due := range dues {
			f.loan(p, f.item(fmt.Sprintf("31%05d", i)), out, due, i%3)
		}
		f.charge(p, 2500)
		whole, err := f.svc.BorrowingRecord(f.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if whole.LoanCount != 23 || len(whole.Loans) != 23 || whole.Page != 0 || whole.OverdueCount != 6 {
			t.Fatalf("whole record: %d loans (%d shown), page %d, %d overdue; want 23, 23, 0, 6",
				whole.LoanCount, len(whole.Loans), whole.Page, whole.OverdueCount)
		}
		const size = 5
		for _, c := range []struct{ asked, page int }{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 5}, {99, 5}, {math.MaxInt, 5}, {0, 1}, {-3, 1}} {
			rec, err := f.svc.BorrowingRecordPage(f.ctx, p.ID, library.LoanPage{Page: c.asked, Size: size})
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("page %d", c.asked)
			from := (c.page - 1) * size
			want := whole.Loans[from:min(from+size, len(whole.Loans))]
			if rec.Page != c.page || rec.LoanCount != 23 {
				t.Errorf("%s: page %d of %d loans, want page %d of 23", name, rec.Page, rec.LoanCount, c.page)
			}
			if rec.OverdueCount != whole.OverdueCount || rec.AccruingTotal != whole.AccruingTotal || rec.FineBalance != 2500 {
				t.Errorf("%s: %d overdue, %v accruing, balance %v; want the whole record's %d, %v and 2500",
					name, rec.OverdueCount, rec.AccruingTotal, rec.FineBalance, whole.OverdueCount, whole.AccruingTotal)
			}
			if len(rec.Loans) != len(want) {
				t.Errorf("%s: %d loans shown, want %d", name, len(rec.Loans), len(want))
				continue
			}
			for i, l := range rec.Loans {
				w := want[i]
				if l.ID != w.ID || l.Item.Barcode != w.Item.Barcode || l.OverdueDays != w.OverdueDays || l.DueInDays != w.DueInDays ||
					l.FineAccruing != w.FineAccruing || l.RenewalsLeft != w.RenewalsLeft || (l.RenewRefusal == nil) != (w.RenewRefusal == nil) {
					t.Errorf("%s, row %d: %+v, want %+v", name, i, l, w)
				}
			}
		}
	})
}
