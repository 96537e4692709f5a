package library_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// A card holder registered at the desk on or after the cut-over gets the
// barcode preset (R3), to change at first sign-in.
func TestRegisterWithPreset(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		p := f.patron("25017342", func(p *library.Patron) {
			p.RegisteredOn, p.PIN = library.Date{}, library.PINRecord{Kind: library.PINNone}
		})
		if _, err := f.svc.SignIn(f.ctx, "25017342", "25017342", "10.0.0.1"); err != library.ErrSignInFailed {
			t.Fatalf("card holder signs in: %v", err)
		}
		if _, err := f.svc.Checkout(f.ctx, "25017342", f.item("3100001").Barcode, "desk"); !isRefusal(err, library.ReasonNotRegistered) {
			t.Errorf("card holder borrows: %v", err)
		}
		reg, err := f.svc.RegisterPatron(f.ctx, desk, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if reg.InitialPIN != "" || reg.Patron.RegisteredOn != library.NewDate(2026, 11, 28) || reg.Patron.PIN.Kind != library.PINPreset {
			t.Errorf("registration: %+v", reg)
		}
		if _, err := f.svc.RegisterPatron(f.ctx, desk, p.ID); library.ErrorCode(err) != library.ECONFLICT {
			t.Errorf("registering twice: %v, want ECONFLICT", err)
		}
		in, err := f.svc.SignIn(f.ctx, "25017342", "25017342", "10.0.0.1")
		if err != nil || !in.Patron.PIN.MustChange() {
			t.Fatalf("sign-in with the preset after registration: %v", err)
		}
		f.auditHas("patron.register", p.ID, desk)
	})
}

// With the rule "random", registration gives a random first PIN, shown
// once, single use, to be changed at the first sign-in.
func TestRegisterWithRandomPIN(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		cfg := f.svc.Config()
		cfg.PresetRules = append([]library.PresetRule{{From: library.NewDate(2026, 9, 1), Rule: library.PresetRandom}}, cfg.PresetRules...)
		if err := cfg.Prepare(); err != nil {
			t.Fatal(err)
		}
		desk := f.desk()
		p := f.patron("25017343", func(p *library.Patron) {
			p.RegisteredOn, p.PIN = library.Date{}, library.PINRecord{Kind: library.PINNone}
		})
		reg, err := f.svc.RegisterPatron(f.ctx, desk, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(reg.InitialPIN) != 10 || strings.ContainsAny(reg.InitialPIN, "01OIL5S2Z8B") {
			t.Errorf("initial PIN %q: want 10 characters without look-alikes", reg.InitialPIN)
		}
		if reg.Patron.PIN.Hash != "" || reg.Patron.PIN.Kind != library.PINTemporary {
			t.Errorf("registration shows the PIN hash, or kind %q", reg.Patron.PIN.Kind)
		}
		if _, err := f.svc.SignIn(f.ctx, "25017343", "25017343", "10.0.0.1"); err != library.ErrSignInFailed {
			t.Errorf("the barcode works as a PIN under the random rule: %v", err)
		}
		in, err := f.svc.SignIn(f.ctx, "25017343", strings.ToLower(reg.InitialPIN), "10.0.0.1")
		if err != nil || !in.Patron.PIN.MustChange() {
			t.Fatalf("sign-in with the random PIN typed in lower case: %v", err)
		}
		if _, err := f.svc.SignIn(f.ctx, "25017343", reg.InitialPIN, "10.0.0.1"); err != library.ErrSignInFailed {
			t.Errorf("the random PIN works twice: %v", err)
		}
		if err := f.svc.ChangePIN(f.ctx, in.Session, reg.InitialPIN, "jade-market-kowloon", "jade-market-kowloon", ""); err != nil {
			t.Fatalf("choosing a PIN in the session the random one opened: %v", err)
		}
		if _, err := f.svc.SignIn(f.ctx, "25017343", "jade-market-kowloon", "10.0.0.1"); err != nil {
			t.Errorf("the chosen PIN: %v", err)
		}
		f.auditFree(reg.InitialPIN)
	})
}

// A reset (R5): the old PIN fails at once, every session ends, the
// temporary PIN works once and forces a change, and it expires.
func TestResetPIN(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		p := f.patron("21034567", nil)
		f.chosenPIN(p, "old-harbour-pin")
		before, err := f.svc.SignIn(f.ctx, "21034567", "old-harbour-pin", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			f.svc.SignIn(f.ctx, "21034567", "forgotten-it", "10.0.0.1")
		}
		tmp, err := f.svc.ResetPIN(f.ctx, desk, p.ID, library.NewRequestToken())
		if err != nil {
			t.Fatal(err)
		}
		if len(tmp.PIN) != library.RandomPINLength || !tmp.ExpiresAt.Equal(f.now.Add(7*24*time.Hour)) || tmp.Patron.PIN.Hash != "" {
			t.Errorf("temporary PIN %d characters, expires %v, hash shown %v", len(tmp.PIN), tmp.ExpiresAt, tmp.Patron.PIN.Hash != "")
		}
		if _, _, err := f.svc.Authenticate(f.ctx, before.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("a session from before the reset: %v", err)
		}
		if _, err := f.svc.SignIn(f.ctx, "21034567", "old-harbour-pin", "10.0.0.1"); err != library.ErrSignInFailed {
			t.Errorf("the old PIN after the reset: %v", err)
		}
		in, err := f.svc.SignIn(f.ctx, "21034567", tmp.PIN, "10.0.0.1")
		if err != nil || !in.Patron.PIN.MustChange() {
			t.Fatalf("the temporary PIN: %v, must change %v", err, in.Patron.PIN.MustChange())
		}
		if _, err := f.svc.SignIn(f.ctx, "21034567", tmp.PIN, "10.0.0.1"); err != library.ErrSignInFailed {
			t.Errorf("the temporary PIN a second time: %v", err)
		}
		err = f.svc.ChangePIN(f.ctx, in.Session, "not-the-temporary", "new-harbour-pin", "new-harbour-pin", "")
		var pe *library.PolicyError
		if !errors.As(err, &pe) || pe.Problem != library.PINWrongOld {
			t.Errorf("a wrong old PIN: %v", err)
		}
		if err := f.svc.ChangePIN(f.ctx, in.Session, tmp.PIN, "new-harbour-pin", "new-harbour-pin", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SignIn(f.ctx, "21034567", "new-harbour-pin", "10.0.0.1"); err != nil {
			t.Errorf("the new PIN: %v", err)
		}
		f.auditHas("pin.reset", p.ID, desk)
		f.auditFree(tmp.PIN, "old-harbour-pin", "new-harbour-pin")

		// A temporary PIN not used within its validity expires.
		tmp, err = f.svc.ResetPIN(f.ctx, library.CommandLine, p.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(7*24*time.Hour + time.Second)
		if _, err := f.svc.SignIn(f.ctx, "21034567", tmp.PIN, "10.0.0.1"); err != library.ErrSignInFailed {
			t.Errorf("an expired temporary PIN: %v", err)
		}

		// A card holder has no PIN to reset.
		holder := f.patron("25017342", func(p *library.Patron) { p.RegisteredOn = library.Date{} })
		if _, err := f.svc.ResetPIN(f.ctx, desk, holder.ID, ""); !isRefusal(err, library.ReasonNotRegistered) {
			t.Errorf("resetting a card holder's PIN: %v", err)
		}
	})
}

// The same reset form submitted twice resets once: the PIN shown first is
// the one that works.
func TestResetPINSubmittedTwice(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		p := f.patron("21034567", nil)
		token := library.NewRequestToken()
		var wg sync.WaitGroup
		results := make([]library.TemporaryPIN, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { results[i], errs[i] = f.svc.ResetPIN(f.ctx, desk, p.ID, token) })
		}
		wg.Wait()
		var shown string
		for i, err := range errs {
			switch {
			case err == nil && shown == "":
				shown = results[i].PIN
			case errors.Is(err, library.ErrAlreadyDone):
			default:
				t.Errorf("submission %d: %v", i, err)
			}
		}
		if shown == "" {
			t.Fatal("neither submission reset the PIN")
		}
		if _, err := f.svc.SignIn(f.ctx, "21034567", shown, "10.0.0.1"); err != nil {
			t.Errorf("the PIN shown: %v", err)
		}
		n := 0
		for _, e := range f.audit() {
			if e.Action == "pin.reset" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d resets in the audit log, want 1", n)
		}
	})
}

// A lost card: the new barcode works, the old one is refused everywhere and
// kept in the patron's history; loans and fines stay with the patron.
func TestReplaceLostCard(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		p := f.patron("21034567", nil)
		f.chosenPIN(p, "my-own-pin-2026")
		f.loan(p, f.item("3100001"), f.now.Add(-24*time.Hour), f.now.Add(13*24*time.Hour), 0)
		f.charge(p, 700)
		old, err := f.svc.SignIn(f.ctx, "21034567", "my-own-pin-2026", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, "a barcode of the wrong pattern", func() error {
			_, err := f.svc.ReplaceCard(f.ctx, desk, p.ID, "21034567", "ABC")
			return err
		}(), library.EINVALID)
		other := f.patron("21099999", nil)
		_, err = f.svc.ReplaceCard(f.ctx, desk, p.ID, "21034567", other.Barcode)
		wantCode(t, "another patron's barcode", err, library.ECONFLICT)

		got, err := f.svc.ReplaceCard(f.ctx, desk, p.ID, "2103-4567", "21777777")
		if err != nil {
			t.Fatal(err)
		}
		if got.Barcode != "21777777" {
			t.Errorf("barcode after replacing: %s", got.Barcode)
		}
		_, err = f.svc.ReplaceCard(f.ctx, desk, p.ID, "21034567", "21888888")
		wantCode(t, "the same replacement submitted again", err, library.ECONFLICT)

		if _, _, err := f.svc.Authenticate(f.ctx, old.Token); !errors.Is(err, library.ErrNoSession) {
			t.Errorf("a session from before the replacement: %v", err)
		}
		if _, err := f.svc.SignIn(f.ctx, "21034567", "my-own-pin-2026", "10.0.0.1"); err != library.ErrSignInFailed {
			t.Errorf("sign-in with the old barcode: %v", err)
		}
		if _, err := f.svc.Checkout(f.ctx, "21034567", f.item("3100002").Barcode, "desk"); library.ErrorCode(err) != library.ENOTFOUND {
			t.Errorf("check-out to the old barcode: %v", err)
		}
		if _, err := f.svc.RecordByBarcode(f.ctx, "21034567"); library.ErrorCode(err) != library.ENOTFOUND {
			t.Errorf("SIP2 lookup of the old barcode: %v", err)
		}
		if v, err := f.svc.VerifyPIN(f.ctx, library.SIPAccount{Login: "kiosk"}, "", "21034567", "my-own-pin-2026"); v.Verdict != library.PINWrong || err != nil {
			t.Errorf("SIP2 PIN check with the old barcode: %v, %v", v.Verdict, err)
		}
		if _, err := f.svc.SignIn(f.ctx, "21777777", "my-own-pin-2026", "10.0.0.1"); err != nil {
			t.Errorf("sign-in with the new barcode: %v", err)
		}
		page, err := f.svc.FindPatrons(f.ctx, desk, library.PatronQuery{Text: "21034567"})
		if err != nil || len(page.Patrons) != 0 || !page.Replaced {
			t.Errorf("desk search for the old barcode: %+v, %v; want nothing, marked replaced", page, err)
		}
		// No patron may have the old barcode again, whatever the entrance.
		_, err = f.svc.ReplaceCard(f.ctx, desk, other.ID, other.Barcode, "21034567")
		wantCode(t, "giving the old barcode to another patron", err, library.ECONFLICT)
		err = f.svc.Store().Update(f.ctx, func(tx library.Tx) error {
			return tx.CreatePatron(&library.Patron{Barcode: "21034567", Category: "student", PIN: library.PINRecord{Kind: library.PINNone}})
		})
		wantCode(t, "creating a patron with the old barcode", err, library.ECONFLICT)

		file, err := f.svc.PatronFile(f.ctx, desk, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(file.FormerBarcodes) != 1 || file.FormerBarcodes[0].Barcode != "21034567" {
			t.Errorf("former barcodes: %+v", file.FormerBarcodes)
		}
		if len(file.Record.Loans) != 1 || file.Record.FineBalance != 700 {
			t.Errorf("after replacing: %d loans, balance %v", len(file.Record.Loans), file.Record.FineBalance)
		}
		if file.Record.Patron.PIN.Hash != "" {
			t.Error("the patron page shows the PIN hash")
		}
		f.auditHas("patron.card.replace", p.ID, desk)
	})
}

func TestBlockExpiryEditUnlock(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		p := f.patron("21034567", nil)
		f.item("3100001")
		if _, err := f.svc.BlockPatron(f.ctx, desk, p.ID, " "); library.ErrorCode(err) != library.EINVALID {
			t.Errorf("a block without a reason: %v", err)
		}
		if _, err := f.svc.BlockPatron(f.ctx, desk, p.ID, "damaged three books"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Checkout(f.ctx, p.Barcode, "3100001", "desk"); !isRefusal(err, library.ReasonBlocked) {
			t.Errorf("a blocked patron borrows: %v", err)
		}
		f.auditHas("patron.block", p.ID, desk)
		if _, err := f.svc.UnblockPatron(f.ctx, desk, p.ID); err != nil {
			t.Fatal(err)
		}
		f.auditHas("patron.unblock", p.ID, desk)
		if _, err := f.svc.SetPatronExpiry(f.ctx, desk, p.ID, library.NewDate(2026, 11, 27)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Checkout(f.ctx, p.Barcode, "3100001", "desk"); !isRefusal(err, library.ReasonExpired) {
			t.Errorf("an expired patron borrows: %v", err)
		}
		if _, err := f.svc.SetPatronExpiry(f.ctx, desk, p.ID, library.NewDate(2030, 8, 31)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Checkout(f.ctx, p.Barcode, "3100001", "desk"); err != nil {
			t.Errorf("after the new expiry date: %v", err)
		}
		f.auditHas("patron.expiry", p.ID, desk)

		got, err := f.svc.EditPatron(f.ctx, desk, p.ID, library.PatronEdit{Name: "Chan Tai-man", Email: "tm.chan@example.edu.hk", Category: "staff"})
		if err != nil || got.Name != "Chan Tai-man" || got.Category != "staff" {
			t.Errorf("EditPatron: %+v, %v", got, err)
		}
		_, err = f.svc.EditPatron(f.ctx, desk, p.ID, library.PatronEdit{Name: "Chan", Category: "alumni"})
		wantCode(t, "an unknown category", err, library.EINVALID)
		_, err = f.svc.EditPatron(f.ctx, desk, p.ID, library.PatronEdit{Name: "Chan", Email: "not an address", Category: "student"})
		wantCode(t, "a bad email address", err, library.EINVALID)
		f.auditHas("patron.edit", p.ID, desk)

		for range f.svc.Config().Throttle.MaxFailures {
			f.svc.SignIn(f.ctx, p.Barcode, "wrong-pin", "10.0.0.1")
		}
		file, _ := f.svc.PatronFile(f.ctx, desk, p.ID)
		if file.LockedUntil.IsZero() {
			t.Error("the patron page does not show the sign-in pause")
		}
		f.auditHas("signin.lockout", p.ID, library.Actor{Name: "patron", Addr: "10.0.0.1"})
		if err := f.svc.UnlockPatron(f.ctx, desk, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SignIn(f.ctx, p.Barcode, p.Barcode, "10.0.0.2"); err != nil {
			t.Errorf("after the unlock: %v", err)
		}
		f.auditHas("signin.unlock", p.ID, desk)
		f.auditHas("signin.failed", p.ID, library.Actor{Name: "patron", Addr: "10.0.0.1"})
	})
}

func TestFindPatrons(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		desk := f.desk()
		for i, name := range []string{"Chan Tai Man", "Chan Siu Ming", "Wong Ka Yan", "100% Chan", "Lee_Chan"} {
			f.patron(string(rune('0'+i))+"1034567", func(p *library.Patron) {
				p.Name, p.Email = name, strings.ToLower(strings.ReplaceAll(name, " ", "."))+"@example.edu.hk"
			})
		}
		find := func(text string, offset, limit int) library.PatronPage {
			t.Helper()
			page, err := f.svc.FindPatrons(f.ctx, desk, library.PatronQuery{Text: text, Offset: offset, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			return page
		}
		names := func(page library.PatronPage) string {
			var s []string
			for _, p := range page.Patrons {
				s = append(s, p.Name)
			}
			return strings.Join(s, "|")
		}
		if got := names(find("CHAN", 0, 0)); got != "100% Chan|Chan Siu Ming|Chan Tai Man|Lee_Chan" {
			t.Errorf("search by name: %s", got)
		}
		if got := names(find("2103-4567", 0, 0)); got != "Wong Ka Yan" {
			t.Errorf("search by a scanned barcode: %s", got)
		}
		if got := names(find("wong.ka", 0, 0)); got != "Wong Ka Yan" {
			t.Errorf("search by email: %s", got)
		}
		if got := names(find("%", 0, 0)); got != "100% Chan" {
			t.Errorf("a %% is not a wildcard: %s", got)
		}
		if got := names(find("_", 0, 0)); got != "Lee_Chan" {
			t.Errorf("an _ is not a wildcard: %s", got)
		}
		first := find("chan", 0, 2)
		second := find("chan", 2, 2)
		if names(first) != "100% Chan|Chan Siu Ming" || !first.More || names(second) != "Chan Tai Man|Lee_Chan" || second.More {
			t.Errorf("pages: %s (more %v), %s (more %v)", names(first), first.More, names(second), second.More)
		}
		for _, p := range first.Patrons {
			if p.PIN.Hash != "" {
				t.Error("search results show a PIN hash")
			}
		}
		if _, err := f.svc.FindPatrons(f.ctx, desk, library.PatronQuery{Text: " "}); library.ErrorCode(err) != library.EINVALID {
			t.Errorf("an empty search: %v", err)
		}
	})
}
