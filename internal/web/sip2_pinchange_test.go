package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carrel-library/carrel/internal/cli"
	"github.com/carrel-library/carrel/internal/library"
)

// TestSIP2VerifiedPINEndsOnPINChange proves that a PIN verified on an open
// SIP2 connection stops being accepted there the moment the patron's PIN
// changes: a kiosk verifies the patron's PIN (CQ Y) and keeps the
// connection open; the patron changes the PIN on the web (a real HTTP
// Change Password); the same connection's next request with the old PIN
// gets CQ N, and the new PIN CQ Y. The same after a PIN reset at the staff
// desk (over HTTP) and after `carrel patron reset-pin` on the same
// database. Before, the connection kept accepting the PIN it had verified
// until the patron session ended.
func TestSIP2VerifiedPINEndsOnPINChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "carrel.db")
	l, _ := newLibraryOn(t, path)
	k := dialKiosk(t, l.startSIP2())
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")
	mustCQ := func(when, pin, want string) {
		t.Helper()
		if cq, af := k.patronStatus(p.Barcode, pin); cq != want {
			t.Errorf("%s: CQ %q (AF %q), want %q", when, cq, af, want)
		}
	}
	mustCQ("the PIN first verified", "reading-room-7", "Y")
	mustCQ("the same PIN again on the connection", "reading-room-7", "Y")

	// Change Password on the web.
	c := l.client()
	c.mustSignIn(p.Barcode, "reading-room-7", "/account")
	if res := c.changePIN("reading-room-7", "lantern-by-the-pier-9"); res.status != http.StatusSeeOther {
		t.Fatalf("Change Password: status %d\n%s", res.status, text(res.body))
	}
	mustCQ("the old PIN after a change on the web", "reading-room-7", "N")
	mustCQ("the new PIN after a change on the web", "lantern-by-the-pier-9", "Y")

	// A reset at the staff desk.
	desk := l.staffClient(l.staff("dee", library.RoleDesk))
	patronURL := fmt.Sprintf("/staff/patrons/%d", p.ID)
	page := desk.get(patronURL)
	if res := desk.post(patronURL+"/reset-pin", with(form(t, page.body, patronURL+"/reset-pin"), "confirm", "yes")); res.status != http.StatusOK {
		t.Fatalf("desk reset: status %d\n%s", res.status, text(res.body))
	}
	mustCQ("the PIN after a desk reset", "lantern-by-the-pier-9", "N")

	// `carrel patron reset-pin` on the same database.
	l.chosenPIN(p, "quiet-floor-77")
	mustCQ("a PIN chosen again", "quiet-floor-77", "Y")
	var out, errOut bytes.Buffer
	if code := cli.Main(context.Background(), []string{"patron", "reset-pin", p.Barcode, "--db", path}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("carrel patron reset-pin: exit %d: %s%s", code, out.String(), errOut.String())
	}
	mustCQ("the PIN after carrel patron reset-pin", "quiet-floor-77", "N")
}
