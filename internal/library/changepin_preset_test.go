package library_test

import (
	"errors"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// changeRefusal returns the problem a PIN change was refused for, or ""
// when it was not refused for a problem.
func changeRefusal(err error) library.PINProblem {
	var pe *library.PolicyError
	if errors.As(err, &pe) {
		return pe.Problem
	}
	return ""
}

// TestForcedPresetChangeSkipsOldPIN proves that the session which signed in
// with the barcode preset chooses its new PIN without typing the preset
// again, while the policy still holds; that once the PIN is chosen the same
// session must type the old PIN again; and that the old PIN is still
// needed after signing in with a PIN of one's own, a legacy HKID preset or
// a temporary PIN, and when the preset was set after the session began.
// Nothing of this is counted as a failed PIN: no throttle, no audit of one.
func TestForcedPresetChangeSkipsOldPIN(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		p := f.patron("21034567", nil)
		in, err := f.svc.SignIn(f.ctx, "2103-4567", "21034567", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if !in.Session.PresetProved {
			t.Fatal("a session opened with the barcode preset does not say so")
		}
		sess, _, err := f.svc.Authenticate(f.ctx, in.Token)
		if err != nil || !sess.PresetProved {
			t.Fatalf("the session as stored: proved %v, err %v", sess.PresetProved, err)
		}
		for _, r := range []struct {
			new, confirm string
			want         library.PINProblem
		}{
			{"", "", library.PINMissing},
			{"quiet-reading", "quiet-readinG", library.PINMismatch},
			{"my21034567", "my21034567", library.PINContainsBarcode},
			{"password", "password", library.PINCommon},
		} {
			if got := changeRefusal(f.svc.ChangePIN(f.ctx, sess, "", r.new, r.confirm, "10.0.0.1")); got != r.want {
				t.Errorf("ChangePIN(no old PIN, %q, %q): %q, want %q", r.new, r.confirm, got, r.want)
			}
		}
		before := f.svc.Hasher().Derivations()
		if err := f.svc.ChangePIN(f.ctx, sess, "", "quiet-reading", "quiet-reading", "10.0.0.1"); err != nil {
			t.Fatalf("the forced change without the old PIN: %v", err)
		}
		if d := f.svc.Hasher().Derivations() - before; d != 1 {
			t.Errorf("the change ran %d argon2id derivations, want 1 (the new PIN's hash)", d)
		}
		if got := f.patronNow(p.ID).PIN; got.Kind != library.PINChosen {
			t.Fatalf("PIN kind %q after the change, want chosen", got.Kind)
		}
		f.auditHas("pin.change", p.ID, library.Actor{Name: "patron"})
		for _, e := range f.audit() {
			if e.Action == "pin.change.failed" || e.Action == "signin.failed" {
				t.Errorf("audit entry %q: nothing failed", e.Action)
			}
		}
		if _, err := f.svc.SignIn(f.ctx, "21034567", "quiet-reading", "10.0.0.1"); err != nil {
			t.Errorf("signing in with the new PIN: %v", err)
		}

		// The same session, on a PIN of the patron's own now: a change is an
		// ordinary one, and needs the old PIN.
		sess, _, err = f.svc.Authenticate(f.ctx, in.Token)
		if err != nil {
			t.Fatal(err)
		}
		if got := changeRefusal(f.svc.ChangePIN(f.ctx, sess, "", "lantern-pier-9", "lantern-pier-9", "10.0.0.1")); got != library.PINMissing {
			t.Errorf("a second change without the old PIN: %q, want %q", got, library.PINMissing)
		}
		if got := changeRefusal(f.svc.ChangePIN(f.ctx, sess, "21034567", "lantern-pier-9", "lantern-pier-9", "10.0.0.1")); got != library.PINWrongOld {
			t.Errorf("a second change with the preset as the old PIN: %q, want %q", got, library.PINWrongOld)
		}

		// Signed in with a PIN of one's own: the old PIN is asked.
		chosen := f.patron("21034568", nil)
		f.chosenPIN(chosen, "reading-room-7")
		assertOldPINNeeded(t, f, "21034568", "reading-room-7")

		// A legacy HKID preset: Carrel keeps only its hash, so it is typed again.
		hkid, err := f.svc.Hasher().Hash(f.ctx, "A12345")
		if err != nil {
			t.Fatal(err)
		}
		f.patron("11223344", func(p *library.Patron) {
			p.RegisteredOn = library.NewDate(2017, 9, 1)
			p.PIN = library.PINRecord{Kind: library.PINPreset, Hash: hkid}
		})
		assertOldPINNeeded(t, f, "11223344", "A12345")

		// A temporary PIN from staff.
		tmp := f.patron("21034569", nil)
		reset, err := f.svc.ResetPIN(f.ctx, f.desk(), tmp.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		assertOldPINNeeded(t, f, "21034569", reset.PIN)

		// A preset set after the session began was not the one typed.
		later := f.patron("21034570", nil)
		in, err = f.svc.SignIn(f.ctx, "21034570", "21034570", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		f.update(func(tx library.Tx) error {
			return tx.SetPIN(later.ID, library.PINRecord{Kind: library.PINPreset, SetAt: f.now.Add(time.Second)})
		})
		if got := changeRefusal(f.svc.ChangePIN(f.ctx, in.Session, "", "lantern-pier-9", "lantern-pier-9", "10.0.0.1")); got != library.PINMissing {
			t.Errorf("a preset set after the session began: %q, want %q", got, library.PINMissing)
		}

		// A session ended (signed out, say, on another tab) proves nothing.
		gone := f.patron("21034571", nil)
		in, err = f.svc.SignIn(f.ctx, "21034571", "21034571", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SignOut(f.ctx, in.Token); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ChangePIN(f.ctx, in.Session, "", "lantern-pier-9", "lantern-pier-9", "10.0.0.1"); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("a change in an ended session: %v, want ErrNoSession", err)
		}
		if got := f.patronNow(gone.ID).PIN; got.Kind != library.PINPreset {
			t.Errorf("an ended session changed the PIN to %q", got.Kind)
		}
	})
}

// assertOldPINNeeded signs in with barcode and pin and proves that the
// session's PIN change asks for the old PIN and checks it.
func assertOldPINNeeded(t *testing.T, f *fixture, barcode, pin string) {
	t.Helper()
	in, err := f.svc.SignIn(f.ctx, barcode, pin, "10.0.0.1")
	if err != nil {
		t.Fatalf("sign in as %s: %v", barcode, err)
	}
	if in.Session.PresetProved {
		t.Errorf("%s: the session says it proved the barcode preset", barcode)
	}
	if got := changeRefusal(f.svc.ChangePIN(f.ctx, in.Session, "", "lantern-pier-9", "lantern-pier-9", "10.0.0.1")); got != library.PINMissing {
		t.Errorf("%s: a change without the old PIN: %q, want %q", barcode, got, library.PINMissing)
	}
	if got := changeRefusal(f.svc.ChangePIN(f.ctx, in.Session, "wrong-old-pin", "lantern-pier-9", "lantern-pier-9", "10.0.0.1")); got != library.PINWrongOld {
		t.Errorf("%s: a change with a wrong old PIN: %q, want %q", barcode, got, library.PINWrongOld)
	}
}
