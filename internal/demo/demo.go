// Package demo fills an empty database with a believable small library: the
// patrons, collection and loans of a Hong Kong college, with a named patron
// for each case a visitor should see at the sign-in page (PrintSignIn).
package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// ErrNotEmpty is returned by Fill when the database already holds patrons or items.
var ErrNotEmpty = errors.New("demo: the database is not empty")

// seed fixes the demo library: every fresh demo database gets the same
// patrons, barcodes and titles (dates move with the day it is filled).
const seed = 0x0ca77e1

// gen plans the demo library in memory, so that the hashing is done before
// the one transaction that stores it all.
type gen struct {
	cfg   *library.Config
	rng   *rand.Rand
	now   time.Time
	today library.Date

	patrons []*patron
	named   map[Kind]*patron
	items   []*library.Item
	loans   []*loan
	fines   []*fine
	// staffAccounts and holds are the staff desk's (desk.go).
	staffAccounts []*staffAccount
	holds         []*hold
	// onLoan holds each item lent in the plan, with its current checkout time.
	onLoan map[*library.Item]time.Time
	// unpaid is what each unnamed patron has been left owing.
	unpaid map[*patron]library.Money

	// Used values, to keep barcodes, names, emails and titles unique.
	barcodes, names, emails, titles map[string]bool
}

// Fill adds the demo library to an empty database in one transaction. Its
// dates are relative to svc.Now(), so the named cases hold on any day.
func Fill(ctx context.Context, svc *library.Service) error {
	cfg := svc.Config()
	if err := svc.Store().View(ctx, checkEmpty); err != nil {
		return err
	}
	g, err := plan(cfg, svc.Now())
	if err != nil {
		return err
	}
	if err := g.hashPINs(ctx, svc.Hasher()); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := g.hashStaff(ctx, svc.Hasher()); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	err = svc.Store().Update(ctx, func(tx library.Tx) error {
		// Checked again inside the transaction: another process may have
		// filled the database while the PINs were hashed.
		if err := checkEmpty(tx); err != nil {
			return err
		}
		return g.write(tx)
	})
	if err != nil {
		return err
	}
	return addKiosk(ctx, svc)
}

func checkEmpty(tx library.Tx) error {
	patrons, err := tx.CountPatrons()
	if err != nil {
		return err
	}
	items, err := tx.CountItems()
	if err != nil {
		return err
	}
	if patrons > 0 || items > 0 {
		return ErrNotEmpty
	}
	return nil
}

// plan draws the whole library and checks it against the configuration,
// which may differ from the defaults the demo was written for.
func plan(cfg *library.Config, now time.Time) (*gen, error) {
	for _, name := range []string{"student", "staff"} {
		if _, ok := cfg.Category(name); !ok {
			return nil, fmt.Errorf("demo: the configuration has no %q patron category", name)
		}
	}
	g := &gen{
		cfg: cfg, rng: rand.New(rand.NewPCG(seed, seed)), now: now, today: cfg.Today(now),
		named: map[Kind]*patron{}, onLoan: map[*library.Item]time.Time{}, unpaid: map[*patron]library.Money{},
		barcodes: map[string]bool{}, names: map[string]bool{}, emails: map[string]bool{}, titles: map[string]bool{},
	}
	g.namedPatrons()
	g.randomPatrons()
	g.collection()
	g.namedLoans()
	g.randomLoans()
	g.pastLoans()
	if err := g.deskPlan(); err != nil {
		return nil, err
	}
	for _, p := range g.patrons {
		cat := g.category(p.Category)
		if !cat.ValidBarcode(p.Barcode) {
			return nil, fmt.Errorf("demo: barcode %s does not fit the %s category's pattern", p.Barcode, p.Category)
		}
		if p.pin != "" {
			if err := cfg.PIN.Check(p.pin, p.Barcode, "", p.Name); err != nil {
				return nil, fmt.Errorf("demo: the PIN of demo patron %s: %w", p.Barcode, err)
			}
		}
	}
	return g, nil
}

// hashPINs hashes the named patrons' chosen PINs and the legacy HKID
// preset, all at once: the hasher bounds how many run together.
func (g *gen) hashPINs(ctx context.Context, h *library.Hasher) error {
	var wg sync.WaitGroup
	errs := make([]error, len(g.patrons))
	for i, p := range g.patrons {
		secret, kind := p.pin, library.PINChosen
		if p.preset != "" {
			secret, kind = p.preset, library.PINPreset
		}
		if secret == "" {
			continue
		}
		wg.Go(func() {
			hash, err := h.Hash(ctx, secret)
			// A chosen PIN was set a week after registration, a preset at it.
			set := p.RegisteredOn
			if kind == library.PINChosen {
				set = set.AddDays(7)
			}
			p.PIN = library.PINRecord{Kind: kind, Hash: hash, SetAt: g.at(set, 11*60)}
			errs[i] = err
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// write stores the plan through the domain's Tx. Returned loans go first
// and are closed at once, as check-in would have: an item's current loan
// would otherwise collide with its old ones.
func (g *gen) write(tx library.Tx) error {
	for _, p := range g.patrons {
		if err := tx.CreatePatron(&p.Patron); err != nil {
			return err
		}
	}
	for _, it := range g.items {
		if err := tx.CreateItem(it); err != nil {
			return err
		}
	}
	slices.SortStableFunc(g.loans, func(a, b *loan) int {
		return cmp.Or(
			cmp.Compare(btoi(a.returned.IsZero()), btoi(b.returned.IsZero())),
			a.checkout.Compare(b.checkout))
	})
	for _, pl := range g.loans {
		l := library.Loan{PatronID: pl.patron.ID, Item: *pl.item, CheckedOutAt: pl.checkout, DueAt: pl.due, Renewals: pl.renewals}
		if err := tx.CreateLoan(&l); err != nil {
			return err
		}
		pl.id = l.ID
		if pl.returned.IsZero() {
			continue
		}
		// Returned loans are unlinked from the patron, as Carrel does for privacy.
		l.ReturnedAt, l.PatronID = pl.returned, 0
		if err := tx.UpdateLoan(l); err != nil {
			return err
		}
	}
	slices.SortStableFunc(g.fines, func(a, b *fine) int { return a.at.Compare(b.at) })
	receipts := map[library.Date]int{}
	for i, f := range g.fines {
		e := library.FineEntry{PatronID: f.patron.ID, Kind: f.kind, Amount: f.amount, Note: f.note, CreatedAt: f.at}
		g.settledBy(&e, i, receipts)
		if f.loan != nil {
			e.LoanID = f.loan.id
		}
		if err := tx.AddFine(&e); err != nil {
			return err
		}
	}
	for _, p := range g.patrons {
		if p.BlockedReason == "" {
			continue
		}
		e := library.AuditEntry{At: g.at(g.today.AddDays(-12), 10*60+5), Actor: "system", PatronID: p.ID,
			Action: "patron.block", Detail: p.BlockedReason}
		if err := tx.AddAudit(&e); err != nil {
			return err
		}
	}
	if err := g.writeDesk(tx); err != nil {
		return err
	}
	return tx.AddAudit(&library.AuditEntry{At: g.now, Actor: "system", Action: "demo.fill",
		Detail: fmt.Sprintf("demo library: %d patrons, %d items, %d loans", len(g.patrons), len(g.items), len(g.loans))})
}

// category returns the rules of a category plan has checked exists.
func (g *gen) category(name string) library.Category {
	cat, _ := g.cfg.Category(name)
	return cat
}

// at returns the instant minute minutes after midnight of day d in the library's zone.
func (g *gen) at(d library.Date, minute int) time.Time {
	return d.Time(g.cfg.Location()).Add(time.Duration(minute) * time.Minute)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
