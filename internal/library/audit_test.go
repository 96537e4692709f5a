package library_test

import (
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// A day at the desk: every staff action and security event is in the audit
// log, with who did it and from where, and no PIN, temporary PIN, password
// or HKID number is anywhere in it.
func TestAuditLogOfADeskDay(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		admin, desk := f.admin(), f.desk()
		const hkid, hkidPreset = "A123456(3)", "A12345"
		hash, err := f.svc.Hasher().Hash(f.ctx, hkidPreset)
		if err != nil {
			t.Fatal(err)
		}
		legacy := f.patron("11223344", func(p *library.Patron) {
			p.RegisteredOn, p.PIN = library.NewDate(2017, 9, 1), library.PINRecord{Kind: library.PINPreset, Hash: hash}
		})
		holder := f.patron("25017342", func(p *library.Patron) {
			p.RegisteredOn, p.PIN = library.Date{}, library.PINRecord{Kind: library.PINNone}
		})
		reader := f.patron("21034567", nil)
		other := f.patron("21034568", nil)
		f.item("3100001")
		f.item("3100002")

		// Security events: a failed sign-in, a lockout, an unlock; a PIN change.
		in, err := f.svc.SignIn(f.ctx, "11223344", hkidPreset, "10.1.1.1")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ChangePIN(f.ctx, in.Session, hkidPreset, "harbour lights 88", "harbour lights 88", ""); err != nil {
			t.Fatal(err)
		}
		for range f.svc.Config().Throttle.MaxFailures {
			f.svc.SignIn(f.ctx, "11223344", "harbour lights 89", "10.1.1.2")
		}
		mustDo(t, "unlock", f.svc.UnlockPatron(f.ctx, desk, legacy.ID))

		// The desk's work.
		reg, err := f.svc.RegisterPatron(f.ctx, desk, holder.ID)
		mustDo(t, "register", err)
		tmp, err := f.svc.ResetPIN(f.ctx, desk, reader.ID, library.NewRequestToken())
		mustDo(t, "reset", err)
		_, err = f.svc.BlockPatron(f.ctx, desk, other.ID, "unpaid replacement cost")
		mustDo(t, "block", err)
		_, err = f.svc.DeskCheckout(f.ctx, admin, library.CheckoutRequest{PatronBarcode: other.Barcode, ItemBarcode: "3100001", Override: "dean's approval"})
		mustDo(t, "override", err)
		_, err = f.svc.UnblockPatron(f.ctx, desk, other.ID)
		mustDo(t, "unblock", err)
		_, err = f.svc.DeskCheckout(f.ctx, desk, library.CheckoutRequest{PatronBarcode: reader.Barcode, ItemBarcode: "3100002"})
		mustDo(t, "checkout", err)
		_, err = f.svc.PlaceHold(f.ctx, desk, reader.ID, "3100001")
		mustDo(t, "hold", err)
		f.now = f.now.Add(20 * 24 * time.Hour)
		_, err = f.svc.DeskCheckin(f.ctx, desk, "3100001")
		mustDo(t, "checkin", err)
		_, err = f.svc.SettleFine(f.ctx, desk, library.FineRequest{PatronID: other.ID, Kind: library.FinePayment, Amount: 200, Method: library.PayCash, Note: "cash"})
		mustDo(t, "payment", err)
		_, err = f.svc.SettleFine(f.ctx, admin, library.FineRequest{PatronID: other.ID, Kind: library.FineWaiver, Amount: 100, Note: "goodwill"})
		mustDo(t, "waiver", err)
		_, err = f.svc.ReplaceCard(f.ctx, desk, reader.ID, reader.Barcode, "21777777")
		mustDo(t, "replace card", err)

		patronAt := func(addr string) library.Actor { return library.Actor{Name: "patron", Addr: addr} }
		for _, want := range []struct {
			action   string
			patronID int64
			by       library.Actor
		}{
			{"signin", legacy.ID, patronAt("10.1.1.1")},
			{"pin.change", legacy.ID, library.Actor{Name: "patron"}},
			{"signin.failed", legacy.ID, patronAt("10.1.1.2")},
			{"signin.lockout", legacy.ID, patronAt("10.1.1.2")},
			{"signin.unlock", legacy.ID, desk},
			{"patron.register", holder.ID, desk},
			{"pin.reset", reader.ID, desk},
			{"patron.block", other.ID, desk},
			{"loan.checkout.override", other.ID, admin},
			{"patron.unblock", other.ID, desk},
			{"loan.checkout", reader.ID, desk},
			{"hold.place", reader.ID, desk},
			{"loan.checkin", other.ID, desk},
			{"hold.trap", reader.ID, desk},
			{"fine.payment", other.ID, desk},
			{"fine.waiver", other.ID, admin},
			{"patron.card.replace", reader.ID, desk},
			{"staff.add", 0, library.CommandLine},
		} {
			f.auditHas(want.action, want.patronID, want.by)
		}
		f.auditFree(hkid, hkidPreset, "harbour lights", tmp.PIN, reg.InitialPIN, adminPassword, deskPassword)
		for _, e := range f.audit() {
			if strings.Contains(e.Detail, "$argon2id$") {
				t.Errorf("audit entry %q holds a hash", e.Action)
			}
		}
	})
}

func mustDo(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
