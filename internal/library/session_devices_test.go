package library_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
)

// TestSessionDeviceLabel proves a session keeps the device label it was
// opened with only when it is made of the few lower-case words a label
// may hold: a whole User-Agent, or anything else a client might send, is
// dropped rather than stored.
func TestSessionDeviceLabel(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.patron("21034567", nil)
		cases := []struct{ label, stored string }{
			{"firefox/windows", "firefox/windows"},
			{"/android", "/android"},
			{"kiosk", "kiosk"},
			{"", ""},
			{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", ""},
			{"mozilla/5.0 (windows nt 10.0)", ""},
			{"FIREFOX/WINDOWS", ""},
			{"firefox/windows/extra", ""},
			{"firefox windows", ""},
			{strings.Repeat("a", 33), ""},
			{"chan.tai.man@example.org", ""},
		}
		for _, tc := range cases {
			in, err := f.svc.SignIn(library.WithDevice(f.ctx, tc.label), "21034567", "21034567", "10.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			if in.Session.Device != tc.stored {
				t.Errorf("label %q: session has %q, want %q", tc.label, in.Session.Device, tc.stored)
			}
			if len(in.Session.PublicID) != 22 || in.Session.PublicID == in.Token {
				t.Errorf("public id %q", in.Session.PublicID)
			}
		}
		// A sign-in without a label (SIP2, the command line) has none.
		in, err := f.svc.SignIn(context.Background(), "21034567", "21034567", "10.0.0.1")
		if err != nil || in.Session.Device != "" {
			t.Errorf("sign-in without a label: %q, %v", in.Session.Device, err)
		}
		live, err := f.svc.PatronSessions(f.ctx, in.Patron.ID)
		if err != nil {
			t.Fatal(err)
		}
		var labels, ids []string
		for _, s := range live {
			labels = append(labels, s.Device)
			ids = append(ids, s.PublicID)
		}
		slices.Sort(labels)
		if want := []string{"", "", "", "", "", "", "", "", "", "/android", "firefox/windows", "kiosk"}; !slices.Equal(labels, want) {
			t.Errorf("stored labels %q, want %q", labels, want)
		}
		slices.Sort(ids)
		if len(slices.Compact(ids)) != len(live) {
			t.Error("two sessions share a public id")
		}
	})
}

// TestEndSession proves a patron can end their own sessions by public id,
// one or all, and that another patron's public id ends nothing and gets
// the answer a made-up one gets, on each kind of database.
func TestEndSession(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		a := f.patron("21034567", nil)
		b := f.patron("21034568", nil)
		signIn := func(p library.Patron) library.SignedIn {
			t.Helper()
			in, err := f.svc.SignIn(f.ctx, p.Barcode, p.Barcode, "10.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			return in
		}
		a1, a2, a3, b1 := signIn(a), signIn(a), signIn(a), signIn(b)
		for name, id := range map[string]string{"another patron's": b1.Session.PublicID, "made up": "no-such-session", "empty": ""} {
			ended, err := f.svc.EndSession(f.ctx, a1.Session, id)
			if err != nil || ended {
				t.Errorf("%s: ended %v, %v", name, ended, err)
			}
		}
		if _, _, err := f.svc.Authenticate(f.ctx, b1.Token); err != nil {
			t.Errorf("B after A's attempt: %v", err)
		}
		if ended, err := f.svc.EndSession(f.ctx, a1.Session, a2.Session.PublicID); err != nil || !ended {
			t.Fatalf("end own session: %v, %v", ended, err)
		}
		if _, _, err := f.svc.Authenticate(f.ctx, a2.Token); err == nil {
			t.Error("the ended session still works")
		}
		if err := f.svc.SignOutEverywhere(f.ctx, a1.Session); err != nil {
			t.Fatal(err)
		}
		for _, in := range []library.SignedIn{a1, a3} {
			if _, _, err := f.svc.Authenticate(f.ctx, in.Token); err == nil {
				t.Error("a session survived signing out everywhere")
			}
		}
		if _, _, err := f.svc.Authenticate(f.ctx, b1.Token); err != nil {
			t.Errorf("B after A signed out everywhere: %v", err)
		}
	})
}
