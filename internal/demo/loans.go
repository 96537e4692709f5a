package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// loan is a planned loan, current or returned.
type loan struct {
	patron   *patron
	item     *library.Item
	checkout time.Time
	due      time.Time
	renewals int
	returned time.Time // zero for a current loan
	id       int64     // set when stored
}

// fine is a planned entry of a patron's fine ledger.
type fine struct {
	patron *patron
	loan   *loan // nil when not tied to a loan
	kind   library.FineKind
	amount library.Money
	note   string
	at     time.Time
}

// namedLoans gives each named demo patron the loans and fines its case
// needs. Times are relative to today, so the case holds on any day.
func (g *gen) namedLoans() {
	cur := func(k Kind, lastDaysAgo, renewals int) {
		g.currentLoan(g.named[k], g.freeItem(), lastDaysAgo, renewals)
	}
	student := g.category("student")
	L, maxRenew := student.LoanDays, student.MaxRenewals

	cur(PresetStudent, 3, 0)
	cur(LegacyHKID, 10, 0)
	cur(LegacyHKID, 20, 1)
	for _, days := range []int{2, 5, 12, 20, 26} {
		cur(Staff, days, 0)
	}
	cur(Blocked, 4, 0)
	cur(Blocked, 9, 0)
	// Borrowed before graduating and never returned.
	cur(Expired, 30, 0)

	// Three overdue loans (one beyond the renewal grace) and two fines
	// charged on earlier late returns, part paid: over the threshold.
	cur(Fines, L+6, 0)
	cur(Fines, L+19, 1)
	cur(Fines, L+41, 0)
	p := g.named[Fines]
	late := g.exactLateLoan(p, 75, 63)
	g.charge(late)
	late = g.exactLateLoan(p, 30, 18)
	g.charge(late)
	g.fines = append(g.fines, &fine{patron: p, loan: late, kind: library.FinePayment, amount: 1000,
		note: "part payment at the Circulation Counter", at: late.returned.Add(5 * time.Minute)})

	// The patron to try Renew with: due today (or tomorrow, when the
	// library is shut today), renewable loans, one at its renewal limit,
	// and one two days overdue, whose fine renewing charges.
	cur(Renew, L, 0)
	cur(Renew, 4, maxRenew)
	cur(Renew, 9, min(1, maxRenew))
	cur(Renew, 2, 0)
	cur(Renew, L+2, 0)

	cur(ExpiresSoon, 3, 0)
}

// randomLoans lends items to about half of the unnamed patrons who may
// borrow today, within their category's limit; about one loan in eight is
// overdue.
func (g *gen) randomLoans() {
	for _, p := range g.patrons {
		if p.kind != "" || !p.active(g.today) || g.rng.IntN(100) >= 55 {
			continue
		}
		cat := g.category(p.Category)
		n := 1 + g.rng.IntN(4)
		if p.Category == "staff" {
			n = 1 + g.rng.IntN(10)
		}
		n = min(n, cat.MaxLoans)
		sinceReg := g.today.DaysSince(p.RegisteredOn)
		for range n {
			renewals := 0
			switch r := g.rng.IntN(100); {
			case r >= 85:
				renewals = min(2, cat.MaxRenewals)
			case r >= 60:
				renewals = min(1, cat.MaxRenewals)
			}
			last := 1 + g.rng.IntN(max(cat.LoanDays-1, 1))
			if g.rng.IntN(8) == 0 {
				last = cat.LoanDays + 1 + g.rng.IntN(40)
			}
			// Nothing is borrowed before the patron registered.
			if last+renewals*max(cat.LoanDays-1, 1) >= sinceReg {
				renewals, last = 0, min(last, sinceReg-1)
			}
			if last < 1 {
				break
			}
			g.currentLoan(p, g.freeItem(), last, renewals)
		}
	}
}

// currentLoan plans a loan to p renewed the given number of times, the
// last time (or the checkout) lastDaysAgo days ago. Each renewal is placed
// the day before the previous due date, as patrons do.
func (g *gen) currentLoan(p *patron, it *library.Item, lastDaysAgo, renewals int) {
	cat := g.category(p.Category)
	step := max(cat.LoanDays-1, 1)
	times := make([]time.Time, renewals+1)
	day := g.today.AddDays(-lastDaysAgo)
	for i := renewals; i >= 0; i-- {
		times[i] = g.deskTime(day)
		if i < renewals && !times[i].Before(times[i+1]) {
			times[i] = times[i+1].Add(-time.Hour)
		}
		day = day.AddDays(-step)
	}
	due := g.cfg.DueAt(times[0], cat.LoanDays)
	for _, t := range times[1:] {
		due = g.cfg.RenewedDue(cat, library.Loan{DueAt: due}, t)
	}
	g.loans = append(g.loans, &loan{patron: p, item: it, checkout: times[0], due: due, renewals: renewals})
	p.openLoans++
	g.onLoan[it] = times[0]
}

// exactLateLoan plans a returned loan of p's, returned about returnedDaysAgo
// days ago exactly overdueDays days late: the days are chosen so that the
// checkout, due and return days are all open days, which keeps the fine the
// case promises whatever the weekday.
func (g *gen) exactLateLoan(p *patron, returnedDaysAgo, overdueDays int) *loan {
	cat := g.category(p.Category)
	ret := g.today.AddDays(-returnedDaysAgo)
	for i := 0; i < 60; i++ {
		due, out := ret.AddDays(-overdueDays), ret.AddDays(-overdueDays-cat.LoanDays)
		if g.cfg.IsOpen(ret) && g.cfg.IsOpen(due) && g.cfg.IsOpen(out) {
			break
		}
		ret = ret.AddDays(-1)
	}
	checkout := g.at(ret.AddDays(-overdueDays-cat.LoanDays), 12*60+15)
	l := &loan{patron: p, item: g.freeItem(), checkout: checkout, due: g.cfg.DueAt(checkout, cat.LoanDays),
		returned: g.at(ret, 16*60+40)}
	g.onLoan[l.item] = checkout
	g.loans = append(g.loans, l)
	return l
}

// charge adds the overdue fine of a returned loan to the ledger, as
// check-in does, and reports it.
func (g *gen) charge(l *loan) library.Money {
	cat := g.category(l.patron.Category)
	amount := cat.Fine(g.cfg.OverdueDays(l.due, l.returned))
	if amount > 0 {
		g.fines = append(g.fines, &fine{patron: l.patron, loan: l, kind: library.FineCharge, amount: amount,
			note: "overdue", at: l.returned})
	}
	return amount
}

// pastLoans gives about a fifth of the collection a history of returned
// loans over the last two years, one after another for each item and
// before its current loan, if any. Late returns are charged; most fines are
// paid soon after, so no unnamed patron owes enough to be stopped.
func (g *gen) pastLoans() {
	var borrowers []*patron
	for _, p := range g.patrons {
		if p.kind == "" && p.Registered() {
			borrowers = append(borrowers, p)
		}
	}
	for _, it := range g.items {
		if it.Withdrawn || it.Location == locReserve || g.rng.IntN(5) != 0 {
			continue
		}
		end := g.now.Add(-24 * time.Hour)
		if t, ok := g.onLoan[it]; ok {
			end = t.Add(-24 * time.Hour)
		}
		day := g.today.AddDays(-30 - g.rng.IntN(700))
		for {
			checkout := g.deskTime(day)
			if !checkout.Before(end) {
				break
			}
			p := g.borrower(borrowers, g.cfg.Today(checkout))
			if p == nil {
				break
			}
			cat := g.category(p.Category)
			due := g.cfg.DueAt(checkout, cat.LoanDays)
			renewals := 0
			for renewals < min(cat.MaxRenewals, 2) && g.rng.IntN(4) == 0 {
				t := g.deskTime(g.cfg.Today(due).AddDays(-1 - g.rng.IntN(3)))
				if !t.After(checkout) {
					break
				}
				due = g.cfg.RenewedDue(cat, library.Loan{DueAt: due}, t)
				renewals++
			}
			outDay, dueDay := g.cfg.Today(checkout), g.cfg.Today(due)
			retDay := outDay.AddDays(2 + g.rng.IntN(max(dueDay.DaysSince(outDay)-1, 1)))
			if g.rng.IntN(7) == 0 {
				retDay = dueDay.AddDays(1 + g.rng.IntN(40))
			}
			returned := g.deskTime(retDay)
			if !returned.After(checkout) {
				returned = checkout.Add(2 * time.Hour)
			}
			if !returned.Before(end) {
				break
			}
			l := &loan{patron: p, item: it, checkout: checkout, due: due, renewals: renewals, returned: returned}
			g.loans = append(g.loans, l)
			if amount := g.charge(l); amount > 0 {
				g.settle(l, amount)
			}
			day = retDay.AddDays(7 + g.rng.IntN(120))
		}
	}
}

// settle pays (or now and then waives) a fine just charged, unless the
// patron may let a small one stand.
func (g *gen) settle(l *loan, amount library.Money) {
	p := l.patron
	if g.unpaid[p]+amount < g.cfg.FineThreshold/2 && g.rng.IntN(6) == 0 {
		g.unpaid[p] += amount
		return
	}
	f := &fine{patron: p, loan: l, kind: library.FinePayment, amount: amount, note: "paid at the Circulation Counter"}
	switch r := g.rng.IntN(20); {
	case r == 0:
		f.kind, f.note = library.FineWaiver, "waived: first late return"
	case r < 8:
		f.note = "paid by Octopus card"
	}
	f.at = g.deskTime(g.cfg.Today(l.returned).AddDays(g.rng.IntN(10)))
	if !f.at.After(l.returned) || !f.at.Before(g.now) {
		f.at = l.returned.Add(3 * time.Minute)
	}
	g.fines = append(g.fines, f)
}

// borrower draws an unnamed patron who could borrow on day d.
func (g *gen) borrower(pool []*patron, d library.Date) *patron {
	for range 20 {
		p := pool[g.rng.IntN(len(pool))]
		if p.Registered() && !p.RegisteredOn.After(d) && !p.Expired(d) {
			return p
		}
	}
	return nil
}

// freeItem draws an item that may be lent and is not on loan yet.
func (g *gen) freeItem() *library.Item {
	for {
		it := g.items[g.rng.IntN(len(g.items))]
		if _, out := g.onLoan[it]; !out && !it.Withdrawn && it.Location != locReserve {
			g.onLoan[it] = time.Time{} // held until currentLoan records the time
			return it
		}
	}
}

// deskTime returns a time of day the library is staffed (09:30 to 20:30)
// on day d, moved to the next open day, or the one before when that would
// not be in the past.
func (g *gen) deskTime(d library.Date) time.Time {
	open := g.cfg.NextOpenDay(d)
	if !open.Before(g.today) {
		open = d
		for i := 0; i < 14 && !g.cfg.IsOpen(open); i++ {
			open = open.AddDays(-1)
		}
	}
	return g.at(open, 9*60+30+g.rng.IntN(11*60))
}

// settledBy gives a demo payment its method, receipt number and the desk
// account that took it, and a waiver the admin who granted it, as the
// desk records them: an Octopus payment has the terminal's slip number
// (n makes it unique), a cash one the next of its day's receipt numbers
// in Carrel's own form, counted in receipts.
func (g *gen) settledBy(e *library.FineEntry, n int, receipts map[library.Date]int) {
	switch e.Kind {
	case library.FineWaiver:
		e.TakenBy = "staff:librarian"
	case library.FinePayment:
		e.TakenBy = "staff:desk"
		if strings.Contains(e.Note, "Octopus") {
			e.Method, e.Receipt = library.PayCard, fmt.Sprintf("OCT-%06d", 104729+n)
			return
		}
		day := g.cfg.Today(e.CreatedAt)
		receipts[day]++
		e.Method = library.PayCash
		e.Receipt = fmt.Sprintf("C%s-%03d", day.Time(time.UTC).Format("20060102"), receipts[day])
	}
}
