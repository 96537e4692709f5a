package library_test

import (
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// Staff passwords the tests use: long enough and not on the blocklist.
const (
	adminPassword = "granite-harbour-lantern-42"
	deskPassword  = "quiet-reading-room-lamp-7"
)

// staff adds a staff account with the given role and returns it as the
// actor of its requests from a desk address.
func (f *fixture) staff(username string, role library.Role) library.Actor {
	f.t.Helper()
	pw := deskPassword
	if role == library.RoleAdmin {
		pw = adminPassword
	}
	st, err := f.svc.AddStaff(f.ctx, library.CommandLine, library.NewStaff{Username: username, Name: "Staff " + username, Role: role}, pw)
	if err != nil {
		f.t.Fatalf("AddStaff(%s): %v", username, err)
	}
	return st.Actor("192.0.2.10")
}

// admin and desk return an admin and a desk account.
func (f *fixture) admin() library.Actor { return f.staff("ada", library.RoleAdmin) }
func (f *fixture) desk() library.Actor  { return f.staff("dee", library.RoleDesk) }

// audit returns every audit entry, newest first.
func (f *fixture) audit() []library.AuditEntry {
	f.t.Helper()
	page, err := f.svc.SearchAudit(f.ctx, library.CommandLine, library.AuditFilter{Limit: library.MaxPageSize})
	if err != nil {
		f.t.Fatal(err)
	}
	return page.Entries
}

// auditHas fails the test unless an entry with the action, about the
// patron (0: any), by the actor and from its address, is in the log.
func (f *fixture) auditHas(action string, patronID int64, by library.Actor) library.AuditEntry {
	f.t.Helper()
	for _, e := range f.audit() {
		if e.Action == action && (patronID == 0 || e.PatronID == patronID) && e.Actor == by.Name && e.Addr == by.Addr {
			return e
		}
	}
	f.t.Errorf("no audit entry %q for patron %d by %s from %q", action, patronID, by.Name, by.Addr)
	return library.AuditEntry{}
}

// auditFree fails the test if any audit entry holds one of the secrets.
func (f *fixture) auditFree(secrets ...string) {
	f.t.Helper()
	for _, e := range f.audit() {
		for _, s := range secrets {
			if s != "" && (strings.Contains(strings.ToUpper(e.Detail), strings.ToUpper(s)) || strings.Contains(e.Actor, s)) {
				f.t.Errorf("audit entry %q holds a secret: %q", e.Action, e.Detail)
			}
		}
	}
}

// patronNow reads the patron as stored.
func (f *fixture) patronNow(id int64) library.Patron {
	f.t.Helper()
	var p library.Patron
	f.update(func(tx library.Tx) error {
		var err error
		p, err = tx.PatronByID(id)
		return err
	})
	return p
}

// charge adds a fine charge to the patron's ledger.
func (f *fixture) charge(p library.Patron, amount library.Money) {
	f.t.Helper()
	f.update(func(tx library.Tx) error {
		return tx.AddFine(&library.FineEntry{PatronID: p.ID, Kind: library.FineCharge, Amount: amount, Note: "test", CreatedAt: f.now})
	})
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := library.ErrorCode(err); got != code {
		t.Errorf("%s: %v (code %q), want code %q", what, err, got, code)
	}
}

func wantRefusal(t *testing.T, what string, err error, reason library.Reason) {
	t.Helper()
	if !isRefusal(err, reason) {
		t.Errorf("%s: %v, want refusal %q", what, err, reason)
	}
}
