package cli_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// libraryDay is the day TestNoSecretsAtRestOrInLogs runs at one library.
type libraryDay struct {
	t   *testing.T
	srv *serveProcess
}

// patronChooses signs a patron in with a PIN they must change (a preset,
// a temporary or a first PIN), chooses a PIN and signs out.
func (d *libraryDay) patronChooses(barcode, given, chosen string) {
	d.t.Helper()
	c := newWebClient(d.t, d.srv.url)
	c.mustPatronSignIn(d.t, barcode, given, "/account/password")
	c.mustChangePIN(d.t, given, chosen)
	c.signOut(d.t)
}

// deskSlip finds the patron at the desk, sends the patron page's form for
// action (register or reset-pin) and returns the PIN its slip shows.
func (d *libraryDay) deskSlip(desk *webClient, barcode, action string) string {
	t := d.t
	t.Helper()
	code, _, err := desk.do("GET", "/staff/patrons?q="+url.QueryEscape(barcode), nil)
	if err != nil || code != http.StatusSeeOther {
		t.Fatalf("find patron %s at the desk: %d, %v", barcode, code, err)
	}
	page, _ := desk.page(t, desk.location)
	form := regexp.MustCompile(`(?s)<form method="post" action="(/staff/patrons/\d+/` + action + `)".*?</form>`).FindStringSubmatch(page)
	if form == nil {
		t.Fatalf("no %s form on the page of patron %s", action, barcode)
	}
	// The confirming step's form, as the confirmation page sends it.
	fields := url.Values{"csrf": {html.UnescapeString(csrfInput.FindStringSubmatch(form[0])[1])}, "confirm": {"yes"}}
	if r := hiddenRequest.FindStringSubmatch(form[0]); r != nil {
		fields.Set("request", html.UnescapeString(r[1]))
	}
	code, slip, err := desk.do("POST", form[1], fields)
	m := slipPIN.FindStringSubmatch(slip)
	if err != nil || code != http.StatusOK || m == nil {
		t.Fatalf("%s for %s at the desk: %d, %v, no PIN on the slip", action, barcode, code, err)
	}
	return html.UnescapeString(m[1])
}

// selfCheck is the day at the self-check machines: a mistyped kiosk
// password; Patron Information with the right PIN, a wrong one and a
// preset (which SIP2 refuses); Patron Status; a loan with the PIN, its
// renewal (refused: made at once, it would gain nothing) and its return; and a machine that sends a PIN before it logs
// in.
func (d *libraryDay) selfCheck(preset string) {
	t := d.t
	t.Helper()
	if k, err := dialKiosk(d.srv.sip2, "daykiosk", dayKioskWrong); err == nil {
		k.close()
		t.Fatal("a kiosk logged in with a wrong password")
	}
	k, err := dialKiosk(d.srv.sip2, "daykiosk", dayKioskPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer k.close()
	now := sipNow()
	for _, step := range []struct{ req, want string }{
		{"63001" + now + "          AOHKCT|AA20120001|AD" + dayPINL1b + "|", "|CQY|"},
		{"63001" + now + "          AOHKCT|AA20240005|AD" + daySIPWrong + "|", "|CQN|"},
		{"63001" + now + "          AOHKCT|AA20170003|AD" + preset + "|", "|CQN|"},
		{"23001" + now + "AOHKCT|AA20240006|AD" + dayPINS6 + "|", "|CQY|"},
		{"11NN" + now + now + "AOHKCT|AA20240007|ABSD0003|AC|AD" + dayPINS7 + "|", "121"},
		// Renewed at once, the loan would gain nothing: refused, PIN and all.
		{"29NN" + now + now + "AOHKCT|AA20240007|ABSD0003|AD" + dayPINS7 + "|", "300NUN"},
		{"09N" + now + now + "APMAIN-GF|AOHKCT|ABSD0003|AC|", "101"},
	} {
		reply, err := k.ask(step.req)
		if err != nil || !strings.Contains(reply, step.want) {
			t.Fatalf("SIP2 %.2s: %q, %v; want it to contain %q", step.req, reply, err, step.want)
		}
	}
	// A machine that does not log in first is answered by a closed connection.
	nc, err := dialSIP2(d.srv.sip2)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.close()
	if reply, err := nc.ask("63001" + now + "          AOHKCT|AA20240005|AD" + dayBeforeLoginPIN + "|"); err == nil {
		t.Fatalf("SIP2 Patron Information before login: %q, want the connection closed", reply)
	}
}
