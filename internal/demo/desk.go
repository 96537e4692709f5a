package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// StaffCase is a demo staff account whose sign-in PrintSignIn prints.
type StaffCase struct {
	Username string
	Name     string
	Role     library.Role
	Password string
	// Shows says what signing in with the account demonstrates.
	Shows string
}

// staffCases are the demo's staff desk accounts: one admin, one desk.
var staffCases = []StaffCase{
	{Username: "librarian", Name: "Ho Wing Sze", Role: library.RoleAdmin, Password: "mid-levels-escalator-1993",
		Shows: "overrides, fine waivers, staff accounts"},
	{Username: "desk", Name: "Yip Ka Ho", Role: library.RoleDesk, Password: "kowloon-tong-counter-88",
		Shows: "the Circulation Counter's daily work"},
}

// StaffCases returns the demo staff accounts in the order PrintSignIn prints them.
func StaffCases() []StaffCase { return slices.Clone(staffCases) }

// staffAccount is a demo staff account being planned.
type staffAccount struct {
	library.Staff
	password string
}

// hold is a planned hold: waiting in an item's queue, or trapped on the
// hold shelf.
type hold struct {
	patron  *patron
	item    *library.Item
	placed  time.Time
	trapped time.Time // zero for a waiting hold
}

// deskPlan plans the staff accounts and a few holds, after everything
// else, so the rest of the library is drawn as before: the Renew patron
// waits for a book lent to someone else and has one on the hold shelf;
// someone waits for one of the Staff patron's loans, which she then cannot
// renew; and a few students queue for popular books.
func (g *gen) deskPlan() error {
	for _, c := range staffCases {
		if err := checkStaffPassword(g.cfg, c); err != nil {
			return err
		}
		created := g.at(g.today.AddDays(-200), 9*60)
		g.staffAccounts = append(g.staffAccounts, &staffAccount{password: c.Password, Staff: library.Staff{
			Username: c.Username, Name: c.Name, Role: c.Role, PasswordSetAt: created, CreatedAt: created}})
	}
	var lent []*loan // current loans of unnamed patrons
	for _, l := range g.loans {
		if l.returned.IsZero() && l.patron.kind == "" {
			lent = append(lent, l)
		}
	}
	var waiting []*patron // unnamed students who may place holds
	for _, p := range g.patrons {
		if p.kind == "" && p.Category == "student" && p.active(g.today) && g.unpaid[p] == 0 {
			waiting = append(waiting, p)
		}
	}
	if len(lent) < 4 || len(waiting) < 4 {
		return fmt.Errorf("demo: too few loans or patrons for the holds")
	}
	placed := func(daysAgo int) time.Time { return g.deskTime(g.today.AddDays(-daysAgo)) }
	// next returns the next student who may wait for l's item: not its
	// borrower, and not already waiting for it.
	used := 0
	next := func(l *loan) *patron {
		for ; used < len(waiting); used++ {
			if p := waiting[used]; p != l.patron {
				used++
				return p
			}
		}
		return nil
	}
	add := func(p *patron, l *loan, daysAgo int) {
		if p != nil {
			g.holds = append(g.holds, &hold{patron: p, item: l.item, placed: placed(daysAgo)})
		}
	}
	renew := g.named[Renew]
	// A book lent to someone else, with the Renew patron first in its queue
	// and a student behind.
	first := lent[g.rng.IntN(len(lent))]
	add(renew, first, 6)
	add(next(first), first, 2)
	// A book on the hold shelf for her.
	g.holds = append(g.holds, &hold{patron: renew, item: g.freeItem(), placed: placed(12), trapped: placed(1)})
	// Someone waits for one of the Staff patron's loans.
	for _, l := range g.loans {
		if l.returned.IsZero() && l.patron.kind == Staff {
			add(next(l), l, 3)
			break
		}
	}
	// Two more students queue for other books.
	for i := range 2 {
		if l := lent[g.rng.IntN(len(lent))]; l != first {
			add(next(l), l, 1+i)
		}
	}
	slices.SortStableFunc(g.holds, func(a, b *hold) int { return a.placed.Compare(b.placed) })
	return nil
}

// checkStaffPassword checks a demo staff password against the policy the
// library configured for staff.
func checkStaffPassword(cfg *library.Config, c StaffCase) error {
	policy := cfg.PIN
	policy.MinLength = cfg.Staff.PasswordMinLength
	if err := policy.Check(c.Password, c.Username, "", c.Name); err != nil {
		return fmt.Errorf("demo: the password of demo staff account %s: %w", c.Username, err)
	}
	return nil
}

// hashStaff hashes the demo staff passwords.
func (g *gen) hashStaff(ctx context.Context, h *library.Hasher) error {
	for _, st := range g.staffAccounts {
		hash, err := h.Hash(ctx, st.password)
		if err != nil {
			return err
		}
		st.PasswordHash = hash
	}
	return nil
}

// writeDesk stores the staff accounts and the holds, with the audit
// entries the desk would have made.
func (g *gen) writeDesk(tx library.Tx) error {
	for _, st := range g.staffAccounts {
		if err := tx.CreateStaff(&st.Staff); err != nil {
			return err
		}
		e := library.AuditEntry{At: st.CreatedAt, Actor: "cli", Action: "staff.add",
			Detail: "username " + st.Username + " role " + string(st.Role)}
		if err := tx.AddAudit(&e); err != nil {
			return err
		}
	}
	desk := "staff:" + staffCases[1].Username
	for _, ph := range g.holds {
		h := library.Hold{PatronID: ph.patron.ID, Item: *ph.item, State: library.HoldWaiting, PlacedAt: ph.placed}
		if !ph.trapped.IsZero() {
			h.State, h.TrappedAt, h.PickupBy = library.HoldTrapped, ph.trapped, g.cfg.DueAt(ph.trapped, g.cfg.HoldShelfDays)
		}
		if err := tx.CreateHold(&h); err != nil {
			return err
		}
		entries := []library.AuditEntry{{At: ph.placed, Actor: desk, PatronID: ph.patron.ID, Action: "hold.place",
			Detail: "item " + ph.item.Barcode, Addr: "10.20.0.15"}}
		if !ph.trapped.IsZero() {
			entries = append(entries, library.AuditEntry{At: ph.trapped, Actor: desk, PatronID: ph.patron.ID, Action: "hold.trap",
				Detail: "item " + ph.item.Barcode + " on the hold shelf until " + g.cfg.Today(h.PickupBy).String(), Addr: "10.20.0.15"})
		}
		for _, e := range entries {
			if err := tx.AddAudit(&e); err != nil {
				return err
			}
		}
	}
	return nil
}
