package cli_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
)

// crashOp is one check-out or check-in a client sent, and what came of it.
type crashOp struct {
	checkin bool
	item    string
	patron  string // the borrower of a check-out
	desk    bool   // sent through the staff desk (HTTP), not SIP2
	acked   bool   // the answer said it was done
	cut     bool   // no answer: the kill cut it off
}

// crashPlan hands out the work of one round and records what came of it.
// Every item has one part in a round: lent freshly (sometimes by two
// clients at once), checked in, or scanned again while on loan (which
// must be refused); so what the database must hold afterwards follows from
// the answers.
type crashPlan struct {
	mu        sync.Mutex
	rng       *rand.Rand
	fresh     []string          // items on the shelf, to lend
	again     []string          // items on loan, scanned again for another patron
	checkins  []string          // items on loan, to check in
	lentAt    map[string]string // item → borrower when the round began
	loans     map[string]int    // patron → open loans, as far as the test knows
	patrons   [][]string        // each client's own borrowers
	next      []int             // each client's next borrower
	lastFresh string            // the fresh item handed out last, to race for
	ops       []crashOp
	err       error // a client's own fault (not the kill)
}

func newCrashPlan(rng *rand.Rand, lib *crashLibrary) *crashPlan {
	pl := &crashPlan{rng: rng, lentAt: map[string]string{}, loans: map[string]int{}}
	for _, it := range lib.items {
		if p, ok := lib.lent[it]; ok {
			pl.lentAt[it] = p
			pl.loans[p]++
			if rng.IntN(10) == 0 {
				pl.again = append(pl.again, it)
			} else {
				pl.checkins = append(pl.checkins, it)
			}
		} else {
			pl.fresh = append(pl.fresh, it)
		}
	}
	rng.Shuffle(len(pl.fresh), func(i, j int) { pl.fresh[i], pl.fresh[j] = pl.fresh[j], pl.fresh[i] })
	rng.Shuffle(len(pl.checkins), func(i, j int) { pl.checkins[i], pl.checkins[j] = pl.checkins[j], pl.checkins[i] })
	clients := crashDeskClients + crashSIPClients
	pl.patrons = make([][]string, clients)
	for i, p := range lib.patrons {
		pl.patrons[i%clients] = append(pl.patrons[i%clients], p)
	}
	pl.next = make([]int, clients)
	for i := range pl.next {
		pl.next[i] = rng.IntN(len(pl.patrons[i]))
	}
	return pl
}

// nextCheckout gives client a borrower under the loan limit and an item:
// mostly one from the shelf, sometimes the one another client was just
// given, sometimes one already on loan. ok is false when the work is done.
func (pl *crashPlan) nextCheckout(client int) (patron, item string, ok bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	mine := pl.patrons[client]
	for range mine {
		pl.next[client] = (pl.next[client] + 1) % len(mine)
		if p := mine[pl.next[client]]; pl.loans[p] < crashMaxLoans {
			patron = p
			break
		}
	}
	if patron == "" {
		return "", "", false
	}
	switch n := pl.rng.IntN(100); {
	case n < 8 && len(pl.again) > 0:
		item = pl.again[pl.rng.IntN(len(pl.again))]
	case n < 16 && pl.lastFresh != "":
		item = pl.lastFresh
	case len(pl.fresh) > 0:
		item, pl.fresh = pl.fresh[0], pl.fresh[1:]
		pl.lastFresh = item
	default:
		return "", "", false
	}
	return patron, item, true
}

// nextCheckin gives the checking-in kiosk its next item.
func (pl *crashPlan) nextCheckin() (string, bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if len(pl.checkins) == 0 {
		return "", false
	}
	item := pl.checkins[0]
	pl.checkins = pl.checkins[1:]
	return item, true
}

// record notes what came of an operation. An error means the kill cut it
// off, unless the process was still there to answer.
func (pl *crashPlan) record(op crashOp, err error) bool {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	op.cut = err != nil
	pl.ops = append(pl.ops, op)
	if !op.checkin && (op.acked || op.cut) {
		pl.loans[op.patron]++ // a cut-off check-out may have lent
	}
	return err == nil
}

// fail records a client's own fault: an answer that is neither a success,
// a refusal nor a cut connection.
func (pl *crashPlan) fail(err error) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.err == nil {
		pl.err = err
	}
}

func (pl *crashPlan) clientErr() error {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.err
}

// crashCounts sums up what the clients were told.
type crashCounts struct {
	acked    int // check-outs acknowledged
	desk     int // of which through the staff desk
	refused  int // check-outs refused
	cut      int // check-outs and check-ins cut off by the kill
	checkins int // check-ins acknowledged
}

func (c *crashCounts) add(o crashCounts) {
	c.acked, c.desk, c.refused, c.cut, c.checkins = c.acked+o.acked, c.desk+o.desk, c.refused+o.refused, c.cut+o.cut, c.checkins+o.checkins
}

// counts sums up the round.
func (pl *crashPlan) counts() crashCounts {
	var c crashCounts
	for _, op := range pl.ops {
		switch {
		case op.cut:
			c.cut++
		case op.checkin && op.acked:
			c.checkins++
		case op.checkin:
		case op.acked:
			c.acked++
			if op.desk {
				c.desk++
			}
		default:
			c.refused++
		}
	}
	return c
}

// runDesk lends at the staff desk until the kill: the patron's barcode,
// then an item, as a librarian scans them. The browser signed in before
// the round began (readyDesk) and keeps its staff session from round to
// round, as the desk would across a restart.
func (pl *crashPlan) runDesk(d *webClient, client int) {
	for {
		patron, item, ok := pl.nextCheckout(client)
		if !ok {
			return
		}
		csrf, request, err := d.checkoutForm(patron)
		if err != nil {
			// Nothing was scanned yet: the item stays on the shelf.
			if !isCut(err) {
				pl.fail(err)
			}
			return
		}
		lent, err := d.checkout(patron, item, csrf, request)
		if err != nil && !isCut(err) {
			pl.fail(err)
			return
		}
		if !pl.record(crashOp{item: item, patron: patron, desk: true, acked: lent}, err) {
			return
		}
	}
}

// readyDesk signs the desk's browser in unless its session lived through
// the last kill.
func readyDesk(d *webClient) error {
	code, _, err := d.do("GET", "/staff", nil)
	switch {
	case err != nil:
		return err
	case code == http.StatusOK:
		return nil
	case code != http.StatusSeeOther:
		return fmt.Errorf("staff desk: %d", code)
	}
	return d.signIn(crashDeskUser, crashDeskPassword)
}

// runKiosk lends at a self-check machine, logged in before the round
// began, until the kill.
func (pl *crashPlan) runKiosk(k *kioskConn, client int) {
	defer k.close()
	for {
		patron, item, ok := pl.nextCheckout(client)
		if !ok {
			return
		}
		lent, err := k.checkout(patron, item)
		if err != nil && !isCut(err) {
			pl.fail(err)
			return
		}
		if !pl.record(crashOp{item: item, patron: patron, acked: lent}, err) {
			return
		}
	}
}

// runCheckins returns items at a self-check machine, logged in before the
// round began, until the kill.
func (pl *crashPlan) runCheckins(k *kioskConn) {
	defer k.close()
	for {
		item, ok := pl.nextCheckin()
		if !ok {
			return
		}
		back, err := k.checkin(item)
		if err != nil && !isCut(err) {
			pl.fail(err)
			return
		}
		if !pl.record(crashOp{checkin: true, item: item, acked: back}, err) {
			return
		}
	}
}

// isCut reports whether err is the kill cutting a connection, rather than
// an answer the test did not expect.
func isCut(err error) bool {
	s := err.Error()
	for _, cut := range []string{"connection reset", "connection refused", "EOF", "broken pipe", "use of closed",
		"server closed idle connection", "transport connection broken"} {
		if strings.Contains(s, cut) {
			return true
		}
	}
	return false
}

// expectations says, for each item the round touched, which borrowers the
// database may show for it afterwards ("" for none), from the answers the
// clients got; and lists the answers that are wrong in themselves.
func (pl *crashPlan) expectations() (map[string][]string, []string) {
	var problems []string
	byItem := map[string][]crashOp{}
	for _, op := range pl.ops {
		byItem[op.item] = append(byItem[op.item], op)
	}
	allowed := map[string][]string{}
	for item, ops := range byItem {
		holder := pl.lentAt[item]
		if ops[0].checkin {
			switch op := ops[0]; {
			case op.acked:
				allowed[item] = []string{""}
			case op.cut:
				allowed[item] = []string{holder, ""}
			default:
				problems = append(problems, fmt.Sprintf("check-in of %s, on loan to %s, was refused", item, holder))
				allowed[item] = []string{holder}
			}
			continue
		}
		var acks, maybe []string
		for _, op := range ops {
			switch {
			case op.acked:
				acks = append(acks, op.patron)
			case op.cut:
				maybe = append(maybe, op.patron)
			}
		}
		switch {
		case holder != "" && len(acks) > 0:
			problems = append(problems, fmt.Sprintf("item %s, on loan to %s, was acknowledged as lent again to %v", item, holder, acks))
			allowed[item] = []string{holder}
		case holder != "":
			allowed[item] = []string{holder}
		case len(acks) > 1:
			problems = append(problems, fmt.Sprintf("item %s was acknowledged as lent %d times, to %v", item, len(acks), acks))
			allowed[item] = acks
		case len(acks) == 1:
			allowed[item] = acks
		default:
			allowed[item] = append([]string{""}, maybe...)
		}
	}
	return allowed, problems
}
