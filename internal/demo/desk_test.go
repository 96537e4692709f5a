package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/demo"
	"github.com/carrel-library/carrel/internal/library"
)

// The demo's staff accounts sign in as printed, and the desk has holds and
// payments to show.
func TestFillStaffDesk(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, time.Now())
	fill(t, svc)

	var admin library.Actor
	for _, c := range demo.StaffCases() {
		in, err := svc.StaffSignIn(ctx, c.Username, c.Password, "127.0.0.1")
		if err != nil {
			t.Fatalf("staff sign-in as %s: %v", c.Username, err)
		}
		if in.Staff.Role != c.Role || in.Session.Stage != library.StageActive {
			t.Errorf("%s: role %s, stage %s", c.Username, in.Staff.Role, in.Session.Stage)
		}
		if c.Role == library.RoleAdmin {
			admin = in.Staff.Actor("127.0.0.1")
		}
	}
	if admin.Role != library.RoleAdmin {
		t.Fatal("no demo admin account")
	}

	rec := record(t, svc, demo.Renew)
	var waiting, trapped int
	for _, h := range rec.Holds {
		switch h.State {
		case library.HoldWaiting:
			waiting++
			if h.Position != 1 {
				t.Errorf("the Renew patron's waiting hold is at position %d, want 1", h.Position)
			}
		case library.HoldTrapped:
			trapped++
		}
	}
	if waiting != 1 || trapped != 1 {
		t.Errorf("Renew patron's holds: %d waiting, %d trapped; want one each", waiting, trapped)
	}
	onHold := false
	for _, l := range record(t, svc, demo.Staff).Loans {
		onHold = onHold || (l.RenewRefusal != nil && l.RenewRefusal.Reason == library.ReasonOnHold)
	}
	if !onHold {
		t.Error("no loan of the Staff patron is held for someone else")
	}
	shelf, err := svc.HoldShelf(ctx, admin)
	if err != nil || len(shelf) != 1 || shelf[0].PatronBarcode != demo.CaseOf(demo.Renew).Barcode {
		t.Errorf("hold shelf: %+v, %v", shelf, err)
	}

	file, err := svc.PatronFile(ctx, admin, record(t, svc, demo.Fines).Patron.ID)
	if err != nil {
		t.Fatal(err)
	}
	paid := false
	for _, e := range file.Fines {
		paid = paid || e.Kind == library.FinePayment
	}
	if !paid {
		t.Error("the fines patron's ledger has no payment")
	}
	page, err := svc.SearchAudit(ctx, admin, library.AuditFilter{Action: "hold."})
	if err != nil || len(page.Entries) < 4 {
		t.Errorf("audit of the demo holds: %d entries, %v", len(page.Entries), err)
	}
}
