package cli_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Secrets of the day: staff and kiosk passwords, and the PINs patrons
// choose, mistype and are given. Each is distinctive, so that finding it
// anywhere means it was written there.
const (
	dayDeskPassword   = "Granary-Wharf-Lamp-2291"
	dayDeskWrong      = "Granary-Wharf-Typo-7730"
	dayKioskPassword  = "Kiosk-Ground-Floor-Secret-48"
	dayKioskWrong     = "Kiosk-Wrong-Guess-5163"
	dayPINL1a         = "Lantern-Harbour-5561"
	dayPINL1b         = "Star-Ferry-Deck-0417"
	dayPINL2          = "Peak-Tram-Morning-3382"
	dayPINS5          = "夜讀 quiet stacks 8842"
	dayPINS5b         = "Typhoon Signal Eight 2026"
	dayPINS6          = "Dim-Sum-Trolley-6604"
	dayPINS7          = "Mid-Levels-Escalator-1199"
	dayPINH4          = "Junk-Boat-Sails-5087"
	dayMismatch       = "Confirm-Differs-2718"
	dayWrongL1        = "Guess-Wrong-4471"
	dayWrongL1b       = "Another-Miss-9920"
	dayWrongS7a       = "Nearly-Right-3154"
	dayWrongS7b       = "Cat-Walked-Keyboard-8086"
	dayWrongS7c       = "Caps-Lock-On-6262"
	dayWrongOld       = "Forgot-Old-One-1357"
	dayRejected       = "20120001-own-barcode"
	daySIPWrong       = "Kiosk-Typo-PIN-5510"
	dayMalformed      = "Broken-Form-6620"
	dayAfterRestart   = "After-Restart-Miss-3033"
	dayBeforeLoginPIN = "Early-Bird-PIN-7212"
)

var (
	cliTemporaryPIN = regexp.MustCompile(`Temporary PIN for \S+ \([^)]*\): (\S+)`)
	slipPIN         = regexp.MustCompile(`id="slip-pin">([^<]+)<`)
)

// TestNoSecretsAtRestOrInLogs runs a day at the library against a real
// `carrel serve` on SQLite: imports with HKID numbers (one file rejected),
// sign-ins with HKID and barcode presets, wrong PINs, PIN changes and
// refused ones, a PIN reset on the command line and one at the desk, a
// desk registration with a random first PIN, self-check traffic with PINs,
// check-outs and renewals. Then it searches the database file, its WAL
// and shared-memory files (while serving, after kill -9, and after a
// clean stop) and every line any process wrote, for every PIN, temporary
// PIN, password and HKID number used and the tokens of the sessions still
// open, in the forms a careless system might store them (a session token's
// SHA-256, which the server keeps, only in the output). None may appear. Only the command-line reset's own
// standard output, which the librarian reads to the patron, shows its
// temporary PIN.
func TestNoSecretsAtRestOrInLogs(t *testing.T) {
	bin := carrelBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "carrel.db")
	today := time.Now()
	// The library's rules: HKID presets for the old patrons, barcode presets
	// since 2018, and random first PINs for those registering at the desk now.
	cfg := writeFile(t, dir, "carrel.json", fmt.Sprintf(`{"preset_rules": [
		{"until": "2018-07-31", "rule": "hkid"},
		{"from": "2018-08-01", "until": %q, "rule": "barcode"},
		{"from": %q, "rule": "random"}]}`, today.AddDate(0, 0, -31).Format(time.DateOnly), today.AddDate(0, 0, -30).Format(time.DateOnly)))

	hkL1, hkL2, hkL3, hkH4 := hkid(t, "K", "739258"), hkid(t, "WX", "604817"), hkid(t, "R", "582946"), hkid(t, "M", "417306")
	hkBad, hkGoodInBad := wrongHKID(t, "P", "350718"), hkid(t, "E", "926451")
	presetL1, presetL2 := hkidPreset(t, hkL1), hkidPreset(t, hkL2)
	secrets := []secret{
		{"desk password", dayDeskPassword}, {"mistyped desk password", dayDeskWrong},
		{"kiosk password", dayKioskPassword}, {"mistyped kiosk password", dayKioskWrong},
		{"chosen PIN", dayPINL1a}, {"chosen PIN", dayPINL1b}, {"chosen PIN", dayPINL2}, {"chosen PIN", dayPINS5},
		{"chosen PIN", dayPINS5b}, {"chosen PIN", dayPINS6}, {"chosen PIN", dayPINS7}, {"chosen PIN", dayPINH4},
		{"mistyped confirmation", dayMismatch}, {"refused new PIN", dayRejected}, {"wrong old PIN", dayWrongOld},
		{"wrong PIN", dayWrongL1}, {"wrong PIN", dayWrongL1b}, {"wrong PIN", dayWrongS7a}, {"wrong PIN", dayWrongS7b},
		{"wrong PIN", dayWrongS7c}, {"wrong PIN over SIP2", daySIPWrong}, {"PIN in a malformed form", dayMalformed},
		{"wrong PIN after the restart", dayAfterRestart}, {"PIN sent before the kiosk logged in", dayBeforeLoginPIN},
	}
	for _, h := range []struct{ whose, number string }{{"L1", hkL1}, {"L2", hkL2}, {"L3", hkL3}, {"H4", hkH4}, {"a rejected row", hkBad}, {"a row of a rejected file", hkGoodInBad}} {
		secrets = append(secrets, hkidSecrets(t, h.whose, h.number)...)
	}
	// Everything every process wrote, but the reset's standard output.
	logs := map[string][]byte{}
	carrelDo := func(stdin string, want int, args ...string) (string, string) {
		t.Helper()
		code, stdout, stderr := runCarrel(t, bin, stdin, append(args, "--db", db, "--config", cfg)...)
		if code != want {
			t.Fatalf("carrel %s: exit %d, want %d: %s%s", strings.Join(args, " "), code, want, stdout, stderr)
		}
		name := "carrel " + strings.Join(args, " ")
		logs[name+" (stdout)"], logs[name+" (stderr)"] = []byte(stdout), []byte(stderr)
		return stdout, stderr
	}

	// Morning: the college's records come in.
	carrelDo("", 0, "migrate")
	carrelDo(dayDeskPassword+"\n", 0, "staff", "add", "daydesk", "--role", "desk")
	carrelDo(dayKioskPassword+"\n", 0, "sip2", "add-account", "daykiosk", "--institution", "HKCT")
	bad := writeFile(t, dir, "bad.csv", "barcode,category,name,email,registered_on,expires_on,hkid\n"+
		"20110008,student,Lam Ka Yan,,2011-09-01,2030-08-31,"+hkGoodInBad+"\n"+
		"20110009,student,Lau Wai Man,,2011-09-01,2030-08-31,"+hkBad+"\n")
	if _, stderr := carrelDo("", 1, "import", "patrons", bad); !strings.Contains(stderr, "line 3") {
		t.Fatalf("the rejected import does not name its bad line: %s", stderr)
	}
	patrons := writeFile(t, dir, "patrons.csv", "barcode,category,name,email,registered_on,expires_on,hkid\n"+
		"20120001,student,Chan Siu Ming,sm.chan@example.edu.hk,2012-09-01,2030-08-31,"+hkL1+"\n"+
		"ST0427,staff,Wong Mei Ling,ml.wong@example.edu.hk,2010-03-01,2030-08-31,"+hkL2+"\n"+
		"20170003,student,Ho Ka Lok,,2017-09-01,2030-08-31,"+strings.ToLower(strings.NewReplacer("(", "", ")", "").Replace(hkL3))+"\n"+
		"20260004,student,Yeung Tsz Ching,,,2030-08-31,"+hkH4+"\n"+
		"20240005,student,Cheung Hoi Yan,,2024-09-01,2030-08-31,\n"+
		"20240006,student,Leung Chun Kit,,2024-09-01,2030-08-31,\n"+
		"20240007,student,Ng Wing Sze,,2024-09-01,2030-08-31,\n")
	carrelDo("", 0, "import", "patrons", patrons)
	items := writeFile(t, dir, "items.csv", "barcode,title,author,call_number,location\n"+
		"SD0001,Call to Arms,Lu Xun,PL2754 .S5,Main Library\n"+
		"SD0002,Eileen Chang Stories,Eileen Chang,PL2837 .A5,Main Library\n"+
		"SD0003,Fortress Besieged,Qian Zhongshu,PL2781 .C5,Main Library\n")
	carrelDo("", 0, "import", "items", items)

	srv := startServeProcess(t, bin, "--db", db, "--config", cfg)
	day := &libraryDay{t: t, srv: srv}

	// Patrons sign in with their presets and choose PINs, with every
	// mistake the Change Password page explains.
	l1 := newWebClient(t, srv.url)
	for _, wrong := range []string{dayWrongL1, dayWrongL1b} {
		if code, _ := l1.patronSignIn(t, "20120001", wrong); code != http.StatusUnauthorized {
			t.Fatalf("wrong PIN: %d, want 401", code)
		}
	}
	l1.mustPatronSignIn(t, "20120001", presetL1, "/account/password")
	// A confirmation that differs, a PIN the policy refuses, a wrong old PIN.
	for i, try := range [][3]string{{presetL1, dayPINL1a, dayMismatch}, {presetL1, dayRejected, dayRejected}, {dayWrongOld, dayPINL1a, dayPINL1a}} {
		if code := l1.changePIN(t, try[0], try[1], try[2]); code != http.StatusUnprocessableEntity {
			t.Fatalf("refused PIN change %d: %d, want 422", i+1, code)
		}
	}
	l1.mustChangePIN(t, presetL1, dayPINL1a)
	l1.signOut(t)
	day.patronChooses("ST0427", presetL2, dayPINL2)
	day.patronChooses("20240005", "20240005", dayPINS5)
	s7 := newWebClient(t, srv.url)
	for _, wrong := range []string{dayWrongS7a, dayWrongS7b, dayWrongS7c} {
		if code, _ := s7.patronSignIn(t, "20240007", wrong); code != http.StatusUnauthorized {
			t.Fatalf("wrong PIN: %d, want 401", code)
		}
	}
	day.patronChooses("20240007", "20240007", dayPINS7)

	// A patron forgot her PIN: the librarian resets it on the command line
	// and reads the temporary PIN to her.
	stdout, _ := carrelDo("", 0, "patron", "reset-pin", "20240006")
	delete(logs, "carrel patron reset-pin 20240006 (stdout)")
	m := cliTemporaryPIN.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("reset-pin printed no temporary PIN: %q", stdout)
	}
	secrets = append(secrets, secret{"temporary PIN from the command line", m[1]})
	day.patronChooses("20240006", m[1], dayPINS6)

	// At the desk: a mistyped password, then the day's work: a card holder
	// registers and gets a random first PIN, a patron who forgot hers gets a
	// temporary one, and books go out.
	desk := newWebClient(t, srv.url)
	if err := desk.signIn("daydesk", dayDeskWrong); err == nil {
		t.Fatal("the desk signed in with a wrong password")
	}
	if err := desk.signIn("daydesk", dayDeskPassword); err != nil {
		t.Fatal(err)
	}
	first := day.deskSlip(desk, "20260004", "register")
	secrets = append(secrets, secret{"random first PIN from the desk", first})
	day.patronChooses("20260004", first, dayPINH4)
	tmp := day.deskSlip(desk, "20120001", "reset-pin")
	secrets = append(secrets, secret{"temporary PIN from the desk", tmp})
	day.patronChooses("20120001", tmp, dayPINL1b)
	for _, loan := range [][2]string{{"20120001", "SD0001"}, {"20240005", "SD0002"}} {
		csrf, request, err := desk.checkoutForm(loan[0])
		if err == nil {
			var lent bool
			if lent, err = desk.checkout(loan[0], loan[1], csrf, request); err == nil && !lent {
				err = fmt.Errorf("not lent")
			}
		}
		if err != nil {
			t.Fatalf("desk check-out of %s to %s: %v", loan[1], loan[0], err)
		}
	}

	// Self-check machines: a mistyped kiosk password, PINs right and wrong,
	// a preset (refused over SIP2), a loan, a renewal and a return, and a
	// request with a PIN before logging in.
	day.selfCheck(hkidPreset(t, hkL3))

	// The patron renews online and changes her PIN once more.
	s5 := newWebClient(t, srv.url)
	s5.mustPatronSignIn(t, "20240005", dayPINS5, "/account")
	if code, _ := s5.post(t, "/account", "/account/renew", url.Values{"all": {"1"}}); code != http.StatusOK {
		t.Fatalf("renew all: %d", code)
	}
	s5.mustChangePIN(t, dayPINS5, dayPINS5b)
	// A form that cannot be read, with a PIN in it.
	req, err := http.NewRequest("POST", srv.url+"/account/login", strings.NewReader("barcode=20240007&pin="+url.QueryEscape(dayMalformed)+"%zz"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Body.Close(); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed sign-in form: %d, want 400", res.StatusCode)
	}
	// The sessions still open: a patron's, after a PIN change, and the desk's.
	tokens := sessionTokens(t, map[string]*webClient{"patron": s5, "desk": desk})

	// The files as they are while Carrel serves, then as kill -9 leaves
	// them (the WAL not yet folded into the database), then after a restart
	// and a clean stop.
	files := map[string][]byte{}
	snapshot := func(when string) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			files["carrel.db"+suffix+" "+when] = readIfThere(t, db+suffix)
		}
	}
	snapshot("while serving")
	srv.kill()
	snapshot("after kill -9")
	logs["carrel serve (killed)"] = srv.output()
	if wal := files["carrel.db-wal after kill -9"]; !bytes.Contains(wal, []byte("loan.checkout")) {
		t.Fatalf("the WAL after kill -9 (%d bytes) holds none of the day's work: the search would prove nothing", len(wal))
	}
	srv = startServeProcess(t, bin, "--db", db, "--config", cfg)
	again := newWebClient(t, srv.url)
	if code, _ := again.patronSignIn(t, "20240005", dayAfterRestart); code != http.StatusUnauthorized {
		t.Fatalf("wrong PIN after the restart: %d, want 401", code)
	}
	again.mustPatronSignIn(t, "20240005", dayPINS5b, "/account")
	tokens = append(tokens, sessionTokens(t, map[string]*webClient{"patron after the restart": again})...)
	if err := srv.stop(t); err != nil {
		t.Fatalf("carrel serve did not stop cleanly: %v", err)
	}
	snapshot("after a clean stop")
	logs["carrel serve (restarted, stopped)"] = srv.output()
	if !bytes.Contains(files["carrel.db after a clean stop"], []byte("Cheung Hoi Yan")) {
		t.Fatal("the database file after the clean stop holds no patron: the search would prove nothing")
	}

	// The search itself finds a secret in every form it looks for.
	for _, s := range secrets {
		for _, f := range secretForms(s.value) {
			blob := map[string][]byte{"a planted copy": append(append([]byte("xx\x00"), f.b...), "\x00yy"...)}
			if len(findSecrets(blob, []secret{s})) == 0 {
				t.Fatalf("the search misses %s %q written %s", s.what, s.value, f.how)
			}
		}
	}
	for _, s := range tokens {
		if len(findTokens(map[string][]byte{"a planted copy": []byte("xx\x00" + s.value + "\x00yy")}, []secret{s})) == 0 {
			t.Fatalf("the search misses the %s", s.what)
		}
	}
	places := map[string][]byte{}
	for name, b := range files {
		places[name] = b
	}
	for name, b := range logs {
		places["output of "+name] = b
	}
	var size int
	for _, b := range places {
		size += len(b)
	}
	if found := append(findSecrets(places, secrets), findTokens(places, tokens)...); len(found) > 0 {
		t.Fatalf("%d secrets found at rest or in logs:\n%s", len(found), strings.Join(found, "\n"))
	}
	t.Logf("searched %d places (%d bytes: database, WAL and shared-memory files at three moments, and every output) for %d secrets and %d session tokens, each in up to %d forms: none found",
		len(places), size, len(secrets), len(tokens), len(secretForms(dayPINS5)))
}

// hkidPreset is the preset PIN an HKID number gives.
func hkidPreset(t *testing.T, number string) string {
	t.Helper()
	s := hkidSecrets(t, "", number)
	return s[len(s)-1].value
}
