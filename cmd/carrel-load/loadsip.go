package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/storage"
)

// sipConn is one SIP2 connection.
type sipConn struct {
	c net.Conn
	r *bufio.Reader
}

// dialSIP opens a connection to addr.
func dialSIP(ctx context.Context, addr string) (*sipConn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &sipConn{c: c, r: bufio.NewReader(c)}, nil
}

// do sends one message and reads the answer, without its CR.
func (s *sipConn) do(msg string) (string, error) {
	s.c.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := s.c.Write([]byte(msg + "\r")); err != nil {
		return "", err
	}
	line, err := s.r.ReadString('\r')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(strings.TrimLeft(line, "\n"), "\r"), nil
}

// Close closes the connection.
func (s *sipConn) Close() error { return s.c.Close() }

// sipKiosk is the SIP2 account the generated library has.
type sipKiosk struct{ Login, Password, Institution string }

// sipNow is a SIP2 date and time.
func sipNow() string { return time.Now().Format("20060102    150405") }

// login signs the connection in as the kiosk (93, answered 941).
func (s *sipConn) login(k sipKiosk) error {
	got, err := s.do("9300CN" + k.Login + "|CO" + k.Password + "|CPMAIN|")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(got, "941") {
		return fmt.Errorf("SIP2 login: got %q, want 941", got)
	}
	return nil
}

// openSIP opens n connections to addr, each signed in as the kiosk (none
// when k is nil: the echo floor).
func openSIP(ctx context.Context, addr string, n int, k *sipKiosk) ([]*sipConn, error) {
	conns := make([]*sipConn, 0, n)
	for range n {
		c, err := dialSIP(ctx, addr)
		if err == nil && k != nil {
			if err = c.login(*k); err != nil {
				c.Close()
			}
		}
		if err != nil {
			closeSIP(conns)
			return nil, err
		}
		conns = append(conns, c)
	}
	return conns, nil
}

// closeSIP closes every connection.
func closeSIP(conns []*sipConn) {
	for _, c := range conns {
		c.Close()
	}
}

// patronInfoRequest is a 63 for the patron, without a PIN (AD): a kiosk
// showing a patron's account after a card scan.
func patronInfoRequest(k sipKiosk, barcode string) string {
	return "63001" + sipNow() + "          AO" + k.Institution + "|AA" + barcode + "|"
}

// runPatronInfo is the SIP2 Patron Information scenario: each connection
// asks for random students, one request at a time; a good answer is a 64.
// With echo set, the same requests go to the echo floor, whose answer is
// the request itself.
func runPatronInfo(ctx context.Context, conns []*sipConn, k sipKiosk, students []string, d time.Duration, echo bool) loadResult {
	want := "64"
	if echo {
		want = "63"
	}
	return drive(ctx, len(conns), d, func(ctx context.Context, w int) error {
		got, err := conns[w].do(patronInfoRequest(k, students[rand.IntN(len(students))]))
		if err != nil {
			return err
		}
		if !strings.HasPrefix(got, want) {
			return fmt.Errorf("SIP2 63: got %q, want %s", clip(got), want)
		}
		if !echo && strings.Contains(got, "|CQN|") {
			// A kiosk that requires the PIN withholds the record: that
			// is not the record read this scenario measures.
			return fmt.Errorf("SIP2 63: the record was withheld for want of a PIN: %q", clip(got))
		}
		return nil
	})
}

// circLane is what one SIP2 connection lends and takes back: one
// patron's barcode and items known to be free to lend.
type circLane struct {
	Patron string
	Items  []string
	next   int
}

// checkout and checkin are the 11 and 09 messages.
func checkoutRequest(k sipKiosk, patron, item string) string {
	return "11NN" + sipNow() + sipNow() + "AO" + k.Institution + "|AA" + patron + "|AB" + item + "|AC|"
}

func checkinRequest(k sipKiosk, item string) string {
	return "09N" + sipNow() + sipNow() + "APMAIN|AO" + k.Institution + "|AB" + item + "|AC|"
}

// pair lends the item and takes it back over the connection.
func (l *circLane) pair(c *sipConn, k sipKiosk, item string) error {
	got, err := c.do(checkoutRequest(k, l.Patron, item))
	if err != nil {
		return err
	}
	if !strings.HasPrefix(got, "121") {
		return fmt.Errorf("SIP2 11: got %q, want 121", clip(got))
	}
	got, err = c.do(checkinRequest(k, item))
	if err != nil {
		return err
	}
	if !strings.HasPrefix(got, "101") {
		return fmt.Errorf("SIP2 09: got %q, want 101", clip(got))
	}
	return nil
}

// itemsPerLane is how many items each connection lends in turn.
const itemsPerLane = 3

// prepareLanes finds, for each connection, a student who may borrow and
// items that are free to lend, by lending and returning them once: item
// barcodes are tried from items in turn, patrons from patrons in turn.
func prepareLanes(conns []*sipConn, k sipKiosk, patrons, items []string) ([]*circLane, error) {
	lanes := make([]*circLane, len(conns))
	nextItem, nextPatron := 0, 0
	for i, c := range conns {
	patron:
		for {
			if nextPatron >= len(patrons) {
				return nil, errors.New("SIP2 circulation: ran out of students who may borrow")
			}
			l := &circLane{Patron: patrons[nextPatron]}
			nextPatron++
			for tries := 0; len(l.Items) < itemsPerLane; tries++ {
				if nextItem >= len(items) {
					return nil, errors.New("SIP2 circulation: ran out of items free to lend")
				}
				if tries >= 20 && len(l.Items) == 0 {
					continue patron // this student cannot borrow
				}
				item := items[nextItem]
				nextItem++
				if err := l.pair(c, k, item); err == nil {
					l.Items = append(l.Items, item)
				} else if errors.Is(err, net.ErrClosed) {
					return nil, err
				}
			}
			lanes[i] = l
			break
		}
	}
	return lanes, nil
}

// runCirculation is the Checkout+Checkin scenario: each connection lends
// its items and takes them back, one pair at a time.
func runCirculation(ctx context.Context, conns []*sipConn, k sipKiosk, lanes []*circLane, d time.Duration) loadResult {
	return drive(ctx, len(conns), d, func(ctx context.Context, w int) error {
		l := lanes[w]
		item := l.Items[l.next%len(l.Items)]
		l.next++
		return l.pair(conns[w], k, item)
	})
}

// runCirculationFloor does the same pairs straight on the database,
// opened by Carrel's storage package so that the pragmas and pools are
// Carrel's: a checkout transaction finds the patron and the item, counts
// the patron's loans and inserts the loan (which marks the item out); a
// checkin transaction finds the item and marks its loan returned. As many
// goroutines as the scenario had connections run them, each with its
// lane's patron and items.
func runCirculationFloor(ctx context.Context, target string, lanes []*circLane, d time.Duration) (loadResult, error) {
	db, err := storage.Open(ctx, target)
	if err != nil {
		return loadResult{}, err
	}
	defer db.Close()
	write := storagePool(db.Pools(), "write")
	var opts *sql.TxOptions // SQLite: the write lock is taken at BEGIN, as Carrel's DSN says
	if db.Dialect() != "sqlite" {
		opts = &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	inTx := func(ctx context.Context, fn func(tx *sql.Tx) error) error {
		for try := 0; ; try++ {
			tx, err := write.BeginTx(ctx, opts)
			if err != nil {
				return err
			}
			if err = fn(tx); err == nil {
				err = tx.Commit()
			} else {
				tx.Rollback()
			}
			if err == nil || opts == nil || try >= 20 || !strings.Contains(err.Error(), "40001") {
				return err
			}
			// A serialisation conflict runs again after a short random
			// pause, as Carrel's storage does.
			time.Sleep(time.Duration(rand.IntN(1+try)+1) * time.Millisecond)
		}
	}
	now := func() string { return time.Now().UTC().Format(floorTimeLayout) }
	pair := func(ctx context.Context, w int) error {
		l := lanes[w]
		item := l.Items[l.next%len(l.Items)]
		l.next++
		err := inTx(ctx, func(tx *sql.Tx) error {
			var pid, iid int64
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT id FROM patrons WHERE barcode = $1`, l.Patron).Scan(&pid); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT id FROM items WHERE barcode = $1`, item).Scan(&iid); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM loans WHERE patron_id = $1 AND returned_at IS NULL`, pid).Scan(&n); err != nil {
				return err
			}
			t := now()
			_, err := tx.ExecContext(ctx, `INSERT INTO loans (patron_id, item_id, checked_out_at, due_at, renewals, returned_at)
VALUES ($1, $2, $3, $4, 0, NULL)`, pid, iid, t, time.Now().Add(14*24*time.Hour).UTC().Format(floorTimeLayout))
			return err
		})
		if err != nil {
			return err
		}
		return inTx(ctx, func(tx *sql.Tx) error {
			var iid int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM items WHERE barcode = $1`, item).Scan(&iid); err != nil {
				return err
			}
			r, err := tx.ExecContext(ctx, `UPDATE loans SET returned_at = $2 WHERE item_id = $1 AND returned_at IS NULL`, iid, now())
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n != 1 {
				return fmt.Errorf("checkin: %d loans marked returned, want 1", n)
			}
			return nil
		})
	}
	// The scenario's connections each lent their items once before the
	// timed part; the floor warms up likewise (its connections' page
	// caches start empty, the server's were warm), untimed.
	// A pair cut short by the end of a run may leave its item out.
	returnAll := func() {
		for _, l := range lanes {
			for _, item := range l.Items {
				write.ExecContext(context.Background(), `UPDATE loans SET returned_at = $2
WHERE item_id = (SELECT id FROM items WHERE barcode = $1) AND returned_at IS NULL`, item, now())
			}
		}
	}
	warm := drive(ctx, len(lanes), min(time.Second, d/4), pair)
	returnAll()
	if warm.Errors > 0 {
		return warm, warm.FirstErr
	}
	res := drive(ctx, len(lanes), d, pair)
	returnAll()
	return res, nil
}

// clip shortens a reply for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
