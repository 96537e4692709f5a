package sip2_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/sip2"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// sipRequest is a request in parts: its identifier and fixed fields, then
// its variable fields in order.
type sipRequest struct {
	name   string
	fixed  string // identifier and fixed fields
	fields [][2]string
	// changes is set when the request as it is changes the library: it is
	// then sent last, to show that the check can see a change.
	changes bool
	login   bool // sent on a new connection that has not logged in
}

func (r sipRequest) with(i int, value string) string {
	var b strings.Builder
	b.WriteString(r.fixed)
	for j, f := range r.fields {
		v := f[1]
		if j == i {
			v = value
		}
		b.WriteString(f[0] + v + "|")
	}
	return b.String()
}

// badSIPValues are bytes a broken or hostile client sends in a field.
var badSIPValues = []struct{ name, value string }{
	{"invalid UTF-8", "20\xff\xfe24"},
	{"NUL byte", "2024\x000001"},
	{"escape character", "2024\x1b[2J"},
	{"1 MB", strings.Repeat("A", 1<<20)},
}

// TestBadBytesChangeNothing sends invalid UTF-8, a NUL byte, a control
// character and a 1 MB value in every field (and in the fixed part) of the
// requests that read or change the library, over real TCP, on each kind
// of database. Each gets 96 (please resend), or for a line over 4 KiB a 96
// and a closed connection, and leaves every table as it was; the same
// request sent well afterwards does change the library.
func TestBadBytesChangeNothing(t *testing.T) {
	for _, target := range storagetest.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			db := storagetest.Open(t, target.Fresh(t))
			l := newLibraryOn(t, db, sip2.Options{})
			reader := l.patron("20240001", "Chan Tai Man", nil)
			l.chosenPIN(reader, "correct horse")
			other := l.patron("20240002", "Wong Siu Ming", nil)
			l.item("B0001", "Call to Arms")
			l.loan(other, "B0002", "Wandering", today.AddDays(-3), today.AddDays(11))
			l.loan(reader, "B0003", "Fortress Besieged", today.AddDays(-10), today.AddDays(4))
			l.update(func(tx library.Tx) error {
				return tx.AddFine(&library.FineEntry{PatronID: reader.ID, Kind: library.FineCharge, Amount: 1250, Note: "overdue"})
			})
			ao := [2]string{"AO", institution}
			aa := [2]string{"AA", "20240001"}
			ad := [2]string{"AD", "correct horse"}
			requests := []sipRequest{
				{name: "login", fixed: "9300", login: true,
					fields: [][2]string{{"CN", kioskLogin}, {"CO", kioskPassword}, {"CP", "MAIN-1F"}}},
				{name: "patron information", fixed: "63001" + sipDate() + "          ", fields: [][2]string{ao, aa, ad}},
				{name: "patron status", fixed: "23001" + sipDate(), fields: [][2]string{ao, aa, ad}},
				{name: "item information", fixed: "17" + sipDate(), fields: [][2]string{ao, {"AB", "B0001"}}},
				{name: "checkout", fixed: "11NN" + sipDate() + sipDate(), changes: true,
					fields: [][2]string{ao, aa, {"AB", "B0001"}, {"AC", ""}, ad}},
				{name: "renew", fixed: "29NN" + sipDate() + sipDate(), changes: true,
					fields: [][2]string{ao, aa, {"AB", "B0003"}, ad}},
				{name: "hold", fixed: "15+" + sipDate(), changes: true,
					fields: [][2]string{ao, aa, {"AB", "B0002"}, ad}},
				{name: "fee paid", fixed: "37" + sipDate() + "0100HKD", changes: true,
					fields: [][2]string{{"BV", "5.00"}, ao, aa, {"BK", "tx-42"}}},
				{name: "checkin", fixed: "09N" + sipDate() + sipDate(), changes: true,
					fields: [][2]string{{"AP", "MAIN"}, ao, {"AB", "B0002"}, {"AC", ""}}},
				{name: "block patron", fixed: "01N" + sipDate(), changes: true,
					fields: [][2]string{ao, {"AL", "Card retained"}, aa, {"AC", ""}}},
			}
			for _, req := range requests {
				t.Run(req.name, func(t *testing.T) {
					snap := copySIPLibrary(t, db)
					connect := func() *client {
						if req.login {
							return l.dial()
						}
						return l.kiosk()
					}
					c := connect()
					for i := -1; i < len(req.fields); i++ {
						for _, bad := range badSIPValues {
							var line string
							if i < 0 {
								if len(bad.value) > 16 {
									continue // a long fixed part is a long line, tried in the fields
								}
								// The bad bytes in place of the start of the fixed part.
								good := req.with(-1, "")
								line = good[:2] + bad.value + good[2+len(bad.value):]
							} else {
								line = req.with(i, bad.value)
							}
							where := "the fixed part"
							if i >= 0 {
								where = req.fields[i][0]
							}
							reply, closed := sendBad(c, line)
							if reply != "96" && !(closed && len(line) > 4096 && reply == "") {
								t.Errorf("%s in %s: reply %q, want 96", bad.name, where, reply)
							}
							if len(line) > 4096 {
								if !closed {
									t.Errorf("%s in %s: connection still open after a line over 4 KiB", bad.name, where)
								}
								c = connect()
							}
							if err := storage.Verify(l.ctx, snap, db); err != nil {
								t.Fatalf("%s in %s changed the library: %v", bad.name, where, err)
							}
						}
					}
					if log := l.log.String(); strings.Contains(log, "level=ERROR") {
						t.Errorf("the server logged an error:\n%s", log)
					}
					if !req.changes {
						return
					}
					if got := c.do(req.with(-1, "")); got.code == "96" {
						t.Fatalf("the good request: %q", got.raw)
					}
					if storage.Verify(l.ctx, snap, db) == nil {
						t.Fatalf("the good request changed nothing: the test cannot see a change")
					}
				})
			}
		})
	}
}

// sendBad sends one line and reads the reply. A line over 4 KiB is written
// while the server may already have answered and closed, so a write error
// or a reset is not a failure: closed then reports that the connection
// ended.
func sendBad(c *client, line string) (reply string, closed bool) {
	c.nc.SetDeadline(time.Now().Add(30 * time.Second))
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.nc.Write([]byte(line + "\r"))
	}()
	s, err := c.r.ReadString('\r')
	if len(line) > 4096 {
		_, err2 := c.r.ReadByte()
		closed = err2 != nil
	}
	<-done
	if err != nil {
		return "", true
	}
	return strings.TrimSuffix(s, "\r"), closed
}

// copySIPLibrary copies the whole library, sessions included, into a new
// SQLite file, for storage.Verify to compare with later.
func copySIPLibrary(t *testing.T, db *storage.DB) *storage.DB {
	t.Helper()
	ctx := context.Background()
	snap, err := storage.Open(ctx, filepath.Join(t.TempDir(), "snapshot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { snap.Close() })
	if _, err := storage.Copy(ctx, snap, db, storage.CopyOptions{Sessions: true}); err != nil {
		t.Fatal(err)
	}
	return snap
}
