package demo_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/demo"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// newService returns a service over a fresh database whose clock reads now.
func newService(t *testing.T, now time.Time) *library.Service {
	t.Helper()
	cfg := library.DefaultConfig()
	svc := library.NewService(&cfg, storagetest.New(t), library.NewHasher(0))
	svc.SetClock(func() time.Time { return now })
	return svc
}

func fill(t *testing.T, svc *library.Service) {
	t.Helper()
	start := time.Now()
	if err := demo.Fill(context.Background(), svc); err != nil {
		t.Fatalf("Fill: %v", err)
	}
	t.Logf("Fill took %v", time.Since(start))
}

// counts returns the numbers of patrons, items and current loans.
func counts(t *testing.T, svc *library.Service) (patrons, items, loans int) {
	t.Helper()
	err := svc.Store().View(context.Background(), func(tx library.Tx) error {
		var err error
		if patrons, err = tx.CountPatrons(); err != nil {
			return err
		}
		if items, err = tx.CountItems(); err != nil {
			return err
		}
		return tx.EachPatron(func(p library.Patron) error {
			n, err := tx.CountOpenLoans(p.ID)
			loans += n
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return patrons, items, loans
}

func patronByBarcode(t *testing.T, svc *library.Service, barcode string) library.Patron {
	t.Helper()
	var p library.Patron
	err := svc.Store().View(context.Background(), func(tx library.Tx) error {
		var err error
		p, err = tx.PatronByBarcode(barcode)
		return err
	})
	if err != nil {
		t.Fatalf("patron %s: %v", barcode, err)
	}
	return p
}

func record(t *testing.T, svc *library.Service, k demo.Kind) library.Record {
	t.Helper()
	rec, err := svc.BorrowingRecord(context.Background(), patronByBarcode(t, svc, demo.CaseOf(k).Barcode).ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestFillCases checks that every case PrintSignIn prints is true, by asking
// the real domain on a real database filled today.
func TestFillCases(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, time.Now())
	fill(t, svc)

	patrons, items, loans := counts(t, svc)
	t.Logf("%d patrons, %d items, %d current loans", patrons, items, loans)
	if patrons != 300 || items != 3000 {
		t.Errorf("got %d patrons and %d items, want 300 and 3000", patrons, items)
	}
	if loans < 200 || loans > 600 {
		t.Errorf("got %d current loans, want a few hundred", loans)
	}

	for _, c := range demo.Cases() {
		t.Run(string(c.Kind), func(t *testing.T) {
			pin := c.PIN
			if c.Kind == demo.CardHolder {
				pin = c.Barcode // whatever a card holder tries, sign-in fails
			}
			in, err := svc.SignIn(ctx, c.Barcode, pin, "127.0.0.1")
			if c.Kind == demo.CardHolder {
				if !errors.Is(err, library.ErrSignInFailed) {
					t.Fatalf("card holder SignIn: got %v, want ErrSignInFailed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SignIn(%s, %s): %v", c.Barcode, c.PIN, err)
			}
			if in.Patron.Name != c.Name {
				t.Errorf("signed in as %q, want %q", in.Patron.Name, c.Name)
			}
			preset := c.Kind == demo.PresetStudent || c.Kind == demo.LegacyHKID
			if got := in.Patron.PIN.MustChange(); got != preset {
				t.Errorf("MustChange = %v, want %v", got, preset)
			}
		})
	}

	t.Run("legacy preset", func(t *testing.T) {
		c := demo.CaseOf(demo.LegacyHKID)
		p := patronByBarcode(t, svc, c.Barcode)
		if p.PIN.Kind != library.PINPreset || p.PIN.Hash == "" {
			t.Errorf("PIN = %s with hash %v, want a hashed preset", p.PIN.Kind, p.PIN.Hash != "")
		}
		if !p.RegisteredOn.Before(library.NewDate(2018, time.August, 1)) {
			t.Errorf("registered %s, want before the cut-over", p.RegisteredOn)
		}
		if strings.Contains(p.PIN.Hash, c.PIN) {
			t.Error("the preset is stored in the clear")
		}
	})

	t.Run("standing", func(t *testing.T) {
		for _, tc := range []struct {
			kind demo.Kind
			want library.Reason
		}{
			{demo.Blocked, library.ReasonBlocked},
			{demo.Expired, library.ReasonExpired},
			{demo.Fines, library.ReasonFines},
		} {
			rec := record(t, svc, tc.kind)
			if rec.BorrowRefusal == nil || rec.BorrowRefusal.Reason != tc.want {
				t.Errorf("%s: BorrowRefusal = %v, want %s", tc.kind, rec.BorrowRefusal, tc.want)
			}
			if len(rec.Loans) == 0 {
				t.Errorf("%s: no loans", tc.kind)
			}
		}
	})

	t.Run("fines refuse renewing", func(t *testing.T) {
		rec := record(t, svc, demo.Fines)
		if rec.FineBalance != 5800 {
			t.Errorf("FineBalance = %s, want HKD 58.00 as printed", rec.FineBalance)
		}
		if rec.OverdueCount != 3 || rec.AccruingTotal == 0 {
			t.Errorf("%d overdue, %s accruing; want 3 overdue with fines accruing", rec.OverdueCount, rec.AccruingTotal)
		}
		out, err := svc.Renew(ctx, rec.Patron.ID, nil, "patron")
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			if o.Renewed || o.Refusal.Reason != library.ReasonFines {
				t.Errorf("renew %s: renewed %v, refusal %v; want refused for fines", o.Item.Barcode, o.Renewed, o.Refusal)
			}
		}
	})

	t.Run("renew the renewable loans", func(t *testing.T) {
		rec := record(t, svc, demo.Renew)
		if rec.BorrowRefusal != nil {
			t.Fatalf("BorrowRefusal = %v, want none", rec.BorrowRefusal)
		}
		var renewable []int64
		var dueSoon, atLimit, overdue bool
		for _, l := range rec.Loans {
			switch {
			case l.RenewRefusal == nil:
				renewable = append(renewable, l.ID)
			case l.RenewRefusal.Reason == library.ReasonRenewalLimit:
				atLimit = true
			}
			dueSoon = dueSoon || l.DueInDays == 0 || l.DueInDays == 1
			overdue = overdue || l.OverdueDays > 0
		}
		if len(renewable) < 3 || !dueSoon || !atLimit || !overdue {
			t.Errorf("%d loans, %d renewable, due soon %v, at limit %v, overdue %v; want all", len(rec.Loans), len(renewable), dueSoon, atLimit, overdue)
		}
		out, err := svc.Renew(ctx, rec.Patron.ID, renewable, "patron")
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			if !o.Renewed {
				t.Errorf("renew %s: %v", o.Item.Barcode, o.Refusal)
			}
		}
	})

	t.Run("card expires soon", func(t *testing.T) {
		rec := record(t, svc, demo.ExpiresSoon)
		if !rec.ExpiresSoon || rec.BorrowRefusal != nil || len(rec.Loans) == 0 {
			t.Errorf("expires soon %v (on %s), refusal %v, %d loans; want a warned patron who may borrow, with a loan",
				rec.ExpiresSoon, rec.Patron.ExpiresOn, rec.BorrowRefusal, len(rec.Loans))
		}
	})

	t.Run("hold ready", func(t *testing.T) {
		rec := record(t, svc, demo.Renew)
		var holds []library.Hold
		err := svc.Store().View(ctx, func(tx library.Tx) error {
			var err error
			holds, err = tx.PatronHolds(rec.Patron.ID, time.Time{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ready := 0
		for _, h := range holds {
			if h.State == library.HoldTrapped && h.PickupBy.After(svc.Now()) {
				ready++
			}
		}
		if ready != 1 {
			t.Errorf("%d holds ready to pick up, want 1 as printed: %+v", ready, holds)
		}
	})

	t.Run("only the fines patron is stopped by fines", func(t *testing.T) {
		err := svc.Store().View(ctx, func(tx library.Tx) error {
			return tx.EachPatron(func(p library.Patron) error {
				n, err := tx.CountOpenLoans(p.ID)
				if err != nil {
					return err
				}
				cat, _ := svc.Config().Category(p.Category)
				if n > cat.MaxLoans || (n > 0 && !p.Registered()) {
					t.Errorf("patron %s (%s, registered %v) has %d loans", p.Barcode, p.Category, p.Registered(), n)
				}
				balance, err := tx.FineBalance(p.ID)
				if err != nil {
					return err
				}
				if balance < 0 || (balance >= svc.Config().FineThreshold) != (p.Barcode == demo.CaseOf(demo.Fines).Barcode) {
					t.Errorf("patron %s owes %s", p.Barcode, balance)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	if err := demo.Fill(ctx, svc); !errors.Is(err, demo.ErrNotEmpty) {
		t.Errorf("second Fill: got %v, want ErrNotEmpty", err)
	}
}

// TestChosenPINsPassPolicy keeps the printed PINs ones a patron could choose.
func TestChosenPINsPassPolicy(t *testing.T) {
	cfg := library.DefaultConfig()
	for _, c := range demo.Cases() {
		switch c.Kind {
		case demo.PresetStudent, demo.LegacyHKID, demo.CardHolder:
			continue
		}
		if err := cfg.PIN.Check(c.PIN, c.Barcode, "", c.Name); err != nil {
			t.Errorf("%s: PIN %q: %v", c.Kind, c.PIN, err)
		}
	}
}

// snapshot is what a visitor would notice changing between two demo databases.
func snapshot(t *testing.T, svc *library.Service) string {
	t.Helper()
	var b strings.Builder
	err := svc.Store().View(context.Background(), func(tx library.Tx) error {
		if err := tx.EachPatron(func(p library.Patron) error {
			b.WriteString(p.Barcode + " " + p.Name + " " + p.RegisteredOn.String() + "\n")
			return nil
		}); err != nil {
			return err
		}
		return tx.EachItem(func(it library.Item) error {
			b.WriteString(it.Barcode + " " + it.Title + " " + it.CallNumber + "\n")
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFillDeterministic fills two fresh databases, on several days (a
// Sunday when the library is shut, the first day of term, New Year's Eve),
// and checks they match and the named cases hold on each.
func TestFillDeterministic(t *testing.T) {
	cfg := library.DefaultConfig()
	loc := cfg.Location()
	for _, now := range []time.Time{
		time.Date(2026, 11, 29, 9, 0, 0, 0, loc), // a Sunday
		time.Date(2027, 9, 1, 8, 0, 0, 0, loc),
		time.Date(2030, 12, 31, 23, 30, 0, 0, loc),
	} {
		t.Run(now.Format("2006-01-02"), func(t *testing.T) {
			a, b := newService(t, now), newService(t, now)
			fill(t, a)
			fill(t, b)
			if sa, sb := snapshot(t, a), snapshot(t, b); sa != sb {
				t.Error("two fresh demo databases differ")
			}
			for _, tc := range []struct {
				kind demo.Kind
				want library.Status
			}{
				{demo.PresetStudent, library.StatusActive},
				{demo.LegacyHKID, library.StatusActive},
				{demo.CardHolder, library.StatusCardHolder},
				{demo.Staff, library.StatusActive},
				{demo.Blocked, library.StatusBlocked},
				{demo.Expired, library.StatusExpired},
				{demo.Fines, library.StatusActive},
				{demo.Renew, library.StatusActive},
			} {
				if got := record(t, a, tc.kind).Status; got != tc.want {
					t.Errorf("%s: status %s, want %s", tc.kind, got, tc.want)
				}
			}
			if got := record(t, a, demo.Fines).FineBalance; got != 5800 {
				t.Errorf("fines patron owes %s, want HKD 58.00", got)
			}
		})
	}
}

func TestPrintSignIn(t *testing.T) {
	var buf bytes.Buffer
	demo.PrintSignIn(&buf, "http://127.0.0.1:8080")
	out := buf.String()
	t.Logf("\n%s", out)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if want := "Demo sign-in (My Account: http://127.0.0.1:8080/account/login)"; lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	if len(lines) != 2+len(demo.Cases())+len(demo.StaffCases()) {
		t.Fatalf("got %d lines, want a heading and one per case, then a heading and one per staff account", len(lines))
	}
	staffLines := lines[2+len(demo.Cases()):]
	if want := "Demo staff desk (http://127.0.0.1:8080/staff/login)"; lines[1+len(demo.Cases())] != want {
		t.Errorf("staff heading %q, want %q", lines[1+len(demo.Cases())], want)
	}
	for i, c := range demo.StaffCases() {
		if !strings.Contains(staffLines[i], "username "+c.Username) || !strings.Contains(staffLines[i], "password "+c.Password) {
			t.Errorf("staff line %q lacks the username or password of %s", staffLines[i], c.Username)
		}
	}
	cs := demo.Cases()
	barcodeCol := strings.Index(lines[1], "barcode "+cs[0].Barcode)
	pinCol := strings.Index(lines[1], "PIN ")
	for i, c := range cs {
		line := lines[1+i]
		if strings.Index(line, "barcode "+c.Barcode) != barcodeCol || strings.Index(line, "PIN ") != pinCol {
			t.Errorf("line %q: columns not aligned", line)
		}
		if !strings.Contains(line, "barcode "+c.Barcode) {
			t.Errorf("line %q lacks barcode %s", line, c.Barcode)
		}
		if c.PIN != "" && !strings.Contains(line, "PIN "+c.PIN) {
			t.Errorf("line %q lacks PIN %s", line, c.PIN)
		}
	}
	if !strings.Contains(out, "PIN none: not registered") {
		t.Error("card holder's line does not say there is no PIN")
	}
}

// The demo's SIP2 kiosk account signs in with the printed password.
func TestDemoKiosk(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, time.Now())
	fill(t, svc)
	a, err := svc.SIPLogin(ctx, demo.Kiosk.Login, demo.Kiosk.Password)
	if err != nil {
		t.Fatalf("SIP2 login of the demo kiosk: %v", err)
	}
	if a.Institution != demo.Kiosk.Institution || !a.LoginRequired {
		t.Errorf("demo kiosk account %+v", a)
	}
	var b strings.Builder
	demo.PrintSIP2(&b, "127.0.0.1:6001")
	for _, want := range []string{"127.0.0.1:6001", demo.Kiosk.Login, demo.Kiosk.Password, demo.Kiosk.Institution} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("PrintSIP2 output lacks %q:\n%s", want, b.String())
		}
	}
}
