package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// largePlan is a generated library as far as it is held in memory: the
// patrons (a few megabytes even at 50,000), which items are lent to whom
// and how many old loans each item has. Items and returned loans, the bulk
// of the rows, are drawn as they are written.
type largePlan struct {
	size Size
	g    *gen // the small demo's helpers: titles, call numbers, times
	seed uint64

	patrons []library.Patron // ids 1 to n, in this order
	// withdrawn marks the items kept for their history but not lent.
	withdrawn []bool
	// open are the current loans, in the order they are written; openOf
	// gives each item's index in open, or -1.
	open   []openLoan
	openOf []int32
	// pastLoans counts each item's returned loans.
	pastLoans []int32
	// hashed are the indexes in patrons of those who get LoadPIN.
	hashed []int
	// copies are the copies of the last work drawn still to be written.
	copies []library.Item
}

// openLoan is a planned current loan.
type openLoan struct {
	item, patron int32 // indexes in the plan
	checkout     time.Time
	due          time.Time
}

// Streams of random numbers, one per part of the plan, so that changing
// how one part is drawn leaves the others as they were.
const (
	streamPatrons = iota + 1
	streamItems
	streamWithdrawn
	streamOpen
	streamPast
)

// rng returns the seeded stream of random numbers for one part of the plan.
func (lp *largePlan) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(lp.seed, stream))
}

// planLarge draws the patrons and the loans of a generated library, and
// checks them against the configuration.
func planLarge(cfg *library.Config, now time.Time, size Size) (*largePlan, error) {
	if err := size.check(); err != nil {
		return nil, err
	}
	for _, name := range []string{"student", "staff"} {
		if _, ok := cfg.Category(name); !ok {
			return nil, fmt.Errorf("demo: the configuration has no %q patron category", name)
		}
	}
	lp := &largePlan{size: size, seed: size.Seed,
		g: &gen{cfg: cfg, now: now, today: cfg.Today(now), titles: map[string]bool{}}}
	lp.g.rng = lp.rng(streamItems)
	if err := lp.planPatrons(); err != nil {
		return nil, err
	}
	lp.planWithdrawn()
	if err := lp.planOpenLoans(); err != nil {
		return nil, err
	}
	rng := lp.rng(streamPast)
	lp.pastLoans = make([]int32, size.Items)
	for range size.ReturnedLoans {
		lp.pastLoans[rng.IntN(size.Items)]++
	}
	return lp, nil
}

// planPatrons draws the patrons: the load-test students first, then the
// heavy patrons, then students and staff (one in ten), of whom one in
// twelve is a card holder who has not registered.
func (lp *largePlan) planPatrons() error {
	g, rng, size := lp.g, lp.rng(streamPatrons), lp.size
	students, staff := 0, 0
	lp.patrons = make([]library.Patron, size.Patrons)
	for i := range lp.patrons {
		p := library.Patron{ID: int64(i + 1), Name: largeName(rng)}
		// Registered between two months and four years ago: after the
		// barcode-preset cut-over, and before any current loan.
		reg := g.today.AddDays(-60 - rng.IntN(4*365))
		heavy := i - size.LoadPatrons
		switch {
		case i < size.LoadPatrons:
			p.Category, p.Barcode = "student", studentBarcode(students)
			students++
		case heavy < len(size.Heavy):
			p.Category, p.Barcode = "staff", heavyBarcode(size.Heavy[heavy])
		case rng.IntN(10) == 0:
			staff++
			p.Category, p.Barcode = "staff", fmt.Sprintf("ST%06d", staff)
		default:
			p.Category, p.Barcode = "student", studentBarcode(students)
			students++
		}
		if !g.category(p.Category).ValidBarcode(p.Barcode) {
			return fmt.Errorf("demo: barcode %s does not fit the %s category's pattern", p.Barcode, p.Category)
		}
		if p.Category == "student" {
			p.Email = p.Barcode + "@stu." + emailDomain
		} else {
			p.Email = strings.ToLower(p.Barcode) + "@" + emailDomain
		}
		switch {
		case i < size.LoadPatrons+len(size.Heavy):
			p.RegisteredOn = reg
			if err := g.cfg.PIN.Check(LoadPIN, p.Barcode, "", p.Name); err != nil {
				return fmt.Errorf("demo: the load-test PIN for patron %s: %w", p.Barcode, err)
			}
			lp.hashed = append(lp.hashed, i)
		case rng.IntN(12) == 0:
			p.PIN = library.PINRecord{Kind: library.PINNone}
		default:
			p.RegisteredOn = reg
			p.PIN = g.presetPIN(reg)
		}
		if p.Category == "student" && p.Registered() {
			p.ExpiresOn = reg.AddDays(5 * 365)
		}
		lp.patrons[i] = p
	}
	return nil
}

// largeName draws a name as the small demo does, without keeping them
// unique: tens of thousands of patrons would exhaust the combinations.
func largeName(rng *rand.Rand) string {
	if rng.IntN(60) == 0 {
		return otherNames[rng.IntN(len(otherNames))]
	}
	first, second, english := givenMale1, givenMale2, englishMale
	if rng.IntN(2) == 0 {
		first, second, english = givenFemale1, givenFemale2, englishFemale
	}
	n := surnames[rng.IntN(len(surnames))] + " " + first[rng.IntN(len(first))] + " " + second[rng.IntN(len(second))]
	if rng.IntN(5) == 0 {
		n = english[rng.IntN(len(english))] + " " + n
	}
	return n
}

// planWithdrawn marks one item in 150 withdrawn, as the small demo does.
func (lp *largePlan) planWithdrawn() {
	rng := lp.rng(streamWithdrawn)
	lp.withdrawn = make([]bool, lp.size.Items)
	for i := range lp.withdrawn {
		lp.withdrawn[i] = rng.IntN(150) == 0
	}
}

// planOpenLoans lends distinct items, drawn at random from those not
// withdrawn: first the heavy patrons' loans, then the others', each to a
// registered patron drawn at random who is still under the category's loan
// limit.
func (lp *largePlan) planOpenLoans() error {
	rng, size := lp.rng(streamOpen), lp.size
	var lendable []int32
	for i, w := range lp.withdrawn {
		if !w {
			lendable = append(lendable, int32(i))
		}
	}
	if size.OpenLoans > len(lendable) {
		return fmt.Errorf("demo: %d open loans need as many items that can be lent, and there are %d", size.OpenLoans, len(lendable))
	}
	rng.Shuffle(len(lendable), func(i, j int) { lendable[i], lendable[j] = lendable[j], lendable[i] })
	lp.openOf = make([]int32, size.Items)
	for i := range lp.openOf {
		lp.openOf[i] = -1
	}
	lend := func(patron int) {
		item := lendable[len(lp.open)]
		lp.openOf[item] = int32(len(lp.open))
		lp.open = append(lp.open, lp.openLoanTo(rng, item, int32(patron)))
	}
	for h, n := range size.Heavy {
		for range n {
			lend(size.LoadPatrons + h)
		}
	}
	// Everyone registered but the heavy patrons borrows, up to the limit.
	var borrowers []int
	room := make([]int, len(lp.patrons))
	capacity := 0
	for i, p := range lp.patrons {
		if heavy := i - size.LoadPatrons; (heavy >= 0 && heavy < len(size.Heavy)) || !p.Registered() {
			continue
		}
		borrowers = append(borrowers, i)
		room[i] = lp.g.category(p.Category).MaxLoans
		capacity += room[i]
	}
	if rest := size.OpenLoans - len(lp.open); rest > capacity {
		return fmt.Errorf("demo: %d open loans besides the heavy patrons' do not fit within the loan limits of %d registered patrons (%d at most): lend fewer or add patrons",
			rest, len(borrowers), capacity)
	}
	for len(lp.open) < size.OpenLoans {
		// A patron drawn at random, or the next one with room: the limit
		// holds, and the draw stays near uniform while most have room.
		k := rng.IntN(len(borrowers))
		for room[borrowers[k]] == 0 {
			k = (k + 1) % len(borrowers)
		}
		room[borrowers[k]]--
		lend(borrowers[k])
	}
	return nil
}

// openLoanTo draws a current loan of an item to a patron: checked out in
// the last loan period and two weeks more, during opening hours, so that
// some are overdue, and due as Carrel's check-out would have set it.
func (lp *largePlan) openLoanTo(rng *rand.Rand, item, patron int32) openLoan {
	g := lp.g
	cat := g.category(lp.patrons[patron].Category)
	out := g.at(g.today.AddDays(-rng.IntN(cat.LoanDays+15)), 9*60+rng.IntN(12*60))
	if out.After(g.now) {
		out = g.now.Add(-time.Duration(1+rng.IntN(60)) * time.Minute)
	}
	return openLoan{item: item, patron: patron, checkout: out, due: g.cfg.DueAt(out, cat.LoanDays)}
}

// openLoan returns current loan i; its id follows the returned loans'.
func (lp *largePlan) openLoan(i int) library.Loan {
	o := lp.open[i]
	return library.Loan{ID: int64(lp.size.ReturnedLoans + i + 1), PatronID: int64(o.patron) + 1,
		Item: library.Item{ID: int64(o.item) + 1}, CheckedOutAt: o.checkout, DueAt: o.due}
}

// returnedLoans returns a function that gives the returned loans in turn,
// item by item, each item's in the order they were lent. Working back from
// the item's current loan (or from now), each loan was returned some days
// before the next began, within its loan period, so none was overdue.
func (lp *largePlan) returnedLoans() func(i int) library.Loan {
	g, rng := lp.g, lp.rng(streamPast)
	days := g.category("student").LoanDays
	item, id := -1, int64(0)
	var pending []library.Loan // the current item's, last lent first
	return func(int) library.Loan {
		for len(pending) == 0 {
			item++
			end := g.now
			if o := lp.openOf[item]; o >= 0 {
				end = lp.open[o].checkout
			}
			for range lp.pastLoans[item] {
				back := end.Add(-time.Duration(1+rng.IntN(40*24*60)) * time.Minute)
				out := back.Add(-time.Duration(60+rng.IntN(max(days-1, 1)*24*60)) * time.Minute)
				pending = append(pending, library.Loan{Item: library.Item{ID: int64(item) + 1},
					CheckedOutAt: out, DueAt: g.cfg.DueAt(out, days), ReturnedAt: back})
				end = out
			}
		}
		l := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		id++
		l.ID = id
		return l
	}
}

// item returns item i, drawn as the small demo's collection is: a work,
// then one to three copies of it.
func (lp *largePlan) item(i int) library.Item {
	g := lp.g
	if len(lp.copies) == 0 {
		w := g.work()
		if len(g.titles) > 50_000 {
			// Only repeats nearby matter; the memory does not grow.
			clear(g.titles)
		}
		n := 1
		switch r := g.rng.IntN(100); {
		case r < 4:
			n = 3
		case r < 14:
			n = 2
		}
		call := callNumber(w.class, w.cutter, w.year)
		for c := n; c >= 1; c-- {
			it := library.Item{Title: w.title, Author: w.author, CallNumber: call, Location: w.location}
			if c > 1 {
				it.CallNumber = fmt.Sprintf("%s c.%d", call, c)
				// A recent textbook's second copy goes on reserve for the course.
				if c == 2 && w.year >= g.today.Year()-5 && w.location != locChinese {
					it.Location = locReserve
				}
			}
			lp.copies = append(lp.copies, it)
		}
	}
	it := lp.copies[len(lp.copies)-1]
	lp.copies = lp.copies[:len(lp.copies)-1]
	it.ID, it.Barcode, it.Withdrawn = int64(i)+1, itemBarcode(i), lp.withdrawn[i]
	return it
}

// hashPINs starts hashing LoadPIN for the load-test and heavy patrons, on
// every core, each hash with its own salt; wait on the result before the
// patrons are written.
func (lp *largePlan) hashPINs(ctx context.Context, h *library.Hasher) *pinHashes {
	ph := &pinHashes{}
	ph.total.Store(int64(len(lp.hashed)))
	next := make(chan int, len(lp.hashed))
	for _, i := range lp.hashed {
		next <- i
	}
	close(next)
	for range min(len(lp.hashed), runtime.GOMAXPROCS(0)) {
		ph.wg.Go(func() {
			for i := range next {
				hash, err := h.Hash(ctx, LoadPIN)
				if err != nil {
					ph.mu.Lock()
					if ph.err == nil {
						ph.err = err
					}
					ph.mu.Unlock()
					return
				}
				p := &lp.patrons[i]
				p.PIN = library.PINRecord{Kind: library.PINChosen, Hash: hash, SetAt: lp.g.at(p.RegisteredOn.AddDays(7), 11*60)}
				ph.done.Add(1)
			}
		})
	}
	return ph
}

// studentBarcode is the barcode of the nth student (from 0).
func studentBarcode(n int) string { return fmt.Sprintf("%08d", firstStudent+n) }

// heavyBarcode is the barcode of the heavy patron with n loans.
func heavyBarcode(n int) string { return fmt.Sprintf("%s%d", heavyPrefix, n) }

// itemBarcode is the barcode of the nth item (from 0).
func itemBarcode(n int) string { return fmt.Sprintf("%s%09d", itemBarcodes, firstItem+n) }
