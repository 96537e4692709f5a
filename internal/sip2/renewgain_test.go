package sip2_test

import (
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/sip2"
)

// TestRenewNothingToGain proves 29 Renew refuses a renewal that would not
// move the due date later, with the reason and the due date in AF, and
// counts nothing; and that 65 Renew All renews only the loans that gain,
// listing the others as not renewed.
func TestRenewNothingToGain(t *testing.T) {
	l := newLibrary(t, sip2.Options{})
	p := l.patron("20240001", "Chan Tai Man", nil)
	l.loan(p, "B0001", "Call to Arms", today, today.AddDays(14))
	l.loan(p, "B0002", "Wandering", today.AddDays(-10), today.AddDays(4))
	c := l.kiosk()

	got := c.do(renewReq("20240001", "B0001"))
	if got.code != "30" || got.fixed[:2] != "0N" {
		t.Errorf("renew a loan made today: %q, want not renewed", got.raw)
	}
	got.want(t, "AF", "Not renewed: already due 12 Dec 2026: nothing to gain by renewing now.")
	if n := renewals(l, p, "B0001"); n != 0 {
		t.Errorf("B0001 renewed %d times, want 0", n)
	}

	l.chosenPIN(p, "correct horse")
	got = c.do("65" + sipDate() + "AO" + institution + "|AA20240001|ADcorrect horse|")
	if got.code != "66" || got.fixed[:9] != "100010001" {
		t.Fatalf("renew all: %q, want 1 renewed and 1 not", got.raw)
	}
	got.want(t, "BM", "B0002")
	got.want(t, "BN", "B0001")

	// B0002, just renewed, gains nothing from another Renew All: the
	// screen message says why.
	got = c.do("65" + sipDate() + "AO" + institution + "|AA20240001|ADcorrect horse|")
	if got.code != "66" || got.fixed[:9] != "100000002" {
		t.Fatalf("renew all again: %q, want nothing renewed", got.raw)
	}
	if bn := strings.Join(got.fields["BN"], ","); bn != "B0001,B0002" && bn != "B0002,B0001" {
		t.Errorf("not renewed: %q", bn)
	}
	got.wantContains(t, "AF", "nothing to gain")
	for _, item := range []string{"B0001", "B0002"} {
		if n, want := renewals(l, p, item), map[string]int{"B0001": 0, "B0002": 1}[item]; n != want {
			t.Errorf("%s renewed %d times, want %d", item, n, want)
		}
	}
}
