package cli_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/storage/pgtest"
)

// The crash test's library: students who borrow, items, a desk account
// and a kiosk.
const (
	crashPatrons      = 1000
	crashItems        = 4000
	crashMaxLoans     = 10 // a student's loan limit (the default)
	crashDeskUser     = "crashdesk"
	crashDeskPassword = "counter-lamp-harbour-61"
	crashKioskLogin   = "kiosk1"
	crashKioskPass    = "self-check-ground-floor"
	crashDeskClients  = 2
	crashSIPClients   = 2
	crashReturners    = 2 // kiosks that check items in
	crashSeedVar      = "CARREL_CRASH_SEED"
)

// crashRounds is how many times the server is killed: 50, or 10 with -short.
func crashRounds() int {
	if testing.Short() {
		return 10
	}
	return 50
}

// TestCrashSQLite is "nothing lost" on SQLite: check-outs through the staff
// desk (HTTP) and a self-check kiosk (SIP2), check-ins through another
// kiosk, and kill -9 of `carrel serve` at a random moment, 50 times. After
// each kill every acknowledged check-out is an open loan of that patron,
// every acknowledged check-in is returned, no item is on loan twice,
// nothing is half-written and the file passes SQLite's integrity check.
func TestCrashSQLite(t *testing.T) {
	runCrashRounds(t, filepath.Join(t.TempDir(), "carrel.db"))
}

// TestCrashPostgres is TestCrashSQLite on PostgreSQL.
func TestCrashPostgres(t *testing.T) {
	runCrashRounds(t, pgtest.URL(t))
}

// crashSeed returns the seed of the kill moments and the work, from
// CARREL_CRASH_SEED when set, so that a failing run can be repeated.
func crashSeed(t *testing.T) uint64 {
	if s := os.Getenv(crashSeedVar); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q is not a number", crashSeedVar, s)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

func runCrashRounds(t *testing.T, target string) {
	bin := carrelBinary(t)
	seed := crashSeed(t)
	t.Logf("seed %d (%s=%d repeats this run)", seed, crashSeedVar, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	lib := fillCrashLibrary(t, target)
	desks := make([]*webClient, crashDeskClients)
	for i := range desks {
		desks[i] = newWebClient(t, "")
	}
	started := time.Now()
	var total crashCounts
	cutRounds := 0
	for round := range crashRounds() {
		plan := newCrashPlan(rng, lib)
		p := startServeProcess(t, bin, "--db", target)
		for _, d := range desks {
			d.base = p.url
		}
		// Every client signs in before the kill clock starts. The test is
		// about acknowledged work; a sign-in the kill cuts off would hold
		// its reservation against the account for library.ReservationLife
		// (a library sees that once after a crash), and kills a second
		// apart would keep renewing them until sign-ins waited out the
		// rounds.
		for _, d := range desks {
			if err := readyDesk(d); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		kiosks := make([]*kioskConn, crashSIPClients+crashReturners)
		loginErrs := make([]error, len(kiosks))
		var logins sync.WaitGroup
		for i := range kiosks {
			logins.Go(func() { kiosks[i], loginErrs[i] = dialKiosk(p.sip2, crashKioskLogin, crashKioskPass) })
		}
		logins.Wait()
		if err := errors.Join(loginErrs...); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		killAt := time.Duration(rng.Int64N(int64(900 * time.Millisecond)))
		var wg sync.WaitGroup
		for i, d := range desks {
			wg.Go(func() { plan.runDesk(d, i) })
		}
		for i, k := range kiosks[:crashSIPClients] {
			wg.Go(func() { plan.runKiosk(k, crashDeskClients+i) })
		}
		for _, k := range kiosks[crashSIPClients:] {
			wg.Go(func() { plan.runCheckins(k) })
		}
		time.Sleep(killAt)
		p.kill()
		wg.Wait()
		if err := plan.clientErr(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		n := plan.counts()
		total.add(n)
		if n.cut > 0 {
			cutRounds++
		}
		if problems := checkCrashedLibrary(t, target, lib, plan); len(problems) > 0 {
			t.Fatalf("round %d (killed after %v; seed %d): %d problems after kill -9:\n%s",
				round, killAt.Round(time.Millisecond), seed, len(problems), strings.Join(problems, "\n"))
		}
		t.Logf("round %d: killed after %v: %d check-outs acknowledged (%d at the desk), %d refused; %d check-ins acknowledged; %d cut off by the kill",
			round, killAt.Round(time.Millisecond), n.acked, n.desk, n.refused, n.checkins, n.cut)
	}
	// The library still starts and stops cleanly after the last kill.
	p := startServeProcess(t, bin, "--db", target)
	if code, _, err := newWebClient(t, p.url).do("GET", "/healthz", nil); err != nil || code != 200 {
		t.Errorf("health after the last kill: %d, %v", code, err)
	}
	if err := p.stop(t); err != nil {
		t.Errorf("stop after the last kill: %v\n%s", err, p.output())
	}
	if total.desk == 0 || total.acked == total.desk || total.checkins == 0 || cutRounds < crashRounds()/4 {
		t.Errorf("%d check-outs acknowledged (%d at the desk), %d check-ins, %d of %d kills cut work off: too little to prove anything",
			total.acked, total.desk, total.checkins, cutRounds, crashRounds())
	}
	t.Logf("%d kills in %v, %d of them cutting work off: %d check-outs acknowledged and found (%d at the desk, the rest over SIP2), %d refused as they should be; %d check-ins acknowledged and found; %d operations cut off",
		crashRounds(), time.Since(started).Round(time.Millisecond), cutRounds, total.acked, total.desk, total.refused, total.checkins, total.cut)
}

// crashLibrary is the library the crash test runs, and what the database
// said after the last kill.
type crashLibrary struct {
	target  string
	patrons []string
	items   []string
	lent    map[string]string // item barcode → the patron it is lent to
}

// fillCrashLibrary makes the library through the command line, as a
// librarian would: schema, patrons, items, a desk account and a kiosk.
func fillCrashLibrary(t *testing.T, target string) *crashLibrary {
	t.Helper()
	lib := &crashLibrary{target: target, lent: map[string]string{}}
	dir := t.TempDir()
	var patrons, items strings.Builder
	patrons.WriteString("barcode,category,name,email,registered_on,expires_on,hkid\n")
	for i := range crashPatrons {
		b := fmt.Sprintf("27%06d", i)
		lib.patrons = append(lib.patrons, b)
		fmt.Fprintf(&patrons, "%s,student,Reader %d,,2025-09-01,2030-08-31,\n", b, i)
	}
	items.WriteString("barcode,title,author,call_number,location\n")
	for i := range crashItems {
		b := fmt.Sprintf("CR%05d", i)
		lib.items = append(lib.items, b)
		fmt.Fprintf(&items, "%s,Reserve copy %d,Anon,QA76 %d,Main Library\n", b, i, i)
	}
	steps := []struct {
		stdin string
		args  []string
	}{
		{"", []string{"migrate"}},
		{"", []string{"import", "patrons", writeFile(t, dir, "patrons.csv", patrons.String())}},
		{"", []string{"import", "items", writeFile(t, dir, "items.csv", items.String())}},
		{crashDeskPassword + "\n", []string{"staff", "add", crashDeskUser, "--role", "desk"}},
		{crashKioskPass + "\n", []string{"sip2", "add-account", crashKioskLogin, "--institution", "HKCT"}},
	}
	for _, s := range steps {
		if code, _, stderr := carrel(t, s.stdin, append(s.args, "--db", target)...); code != 0 {
			t.Fatalf("carrel %s: exit %d: %s", strings.Join(s.args, " "), code, stderr)
		}
	}
	return lib
}
