package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/carrel-library/carrel/internal/storage"
)

// The borrowing record's queries, as internal/storage runs them on SQLite
// for library.Service.BorrowingRecordPage showing the first page of loans:
// the patron, how many open loans, the first page of them with their
// items, the due times of those due before now (for the totals), the fine
// balance, the holds (open, or closed within the hold history) and the
// loaned items others wait for. The patron is found by barcode where
// Carrel finds it by the session's patron id: both are one lookup on a
// unique index.
const (
	floorPatronSQL = `SELECT id, barcode, category, name, email, registered_on, expires_on,
	blocked_reason, pin_kind, pin_hash, pin_set_at, pin_expires_at FROM patrons WHERE barcode = $1`
	floorCountSQL = `SELECT COUNT(*) FROM loans WHERE patron_id = $1 AND returned_at IS NULL`
	floorLoansSQL = `SELECT l.id, l.patron_id, l.checked_out_at, l.due_at, l.renewals, l.returned_at,
	i.id, i.barcode, i.title, i.author, i.call_number, i.location, i.withdrawn
FROM loans l JOIN items i ON i.id = l.item_id
WHERE l.patron_id = $1 AND l.returned_at IS NULL
ORDER BY l.due_at, l.id
LIMIT $2 OFFSET $3`
	floorDueSQL = `SELECT due_at FROM loans
WHERE patron_id = $1 AND returned_at IS NULL AND due_at < $2`
	// floorPageSize is the loans a page of the record shows.
	floorPageSize = 50
	floorFinesSQL = `SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'charge' THEN amount_cents ELSE -amount_cents END), 0) AS BIGINT)
FROM fines WHERE patron_id = $1`
	floorHoldsSQL = `SELECT h.id, h.patron_id, h.state, h.placed_at, h.trapped_at, h.pickup_by, h.closed_at,
	CASE WHEN h.state = 'waiting' THEN (SELECT COUNT(*) FROM holds q
		WHERE q.item_id = h.item_id AND q.state = 'waiting'
		AND (q.placed_at < h.placed_at OR (q.placed_at = h.placed_at AND q.id <= h.id))) ELSE 0 END,
	p.barcode, p.name,
	i.id, i.barcode, i.title, i.author, i.call_number, i.location, i.withdrawn
FROM holds h
JOIN items i ON i.id = h.item_id
LEFT JOIN patrons p ON p.id = h.patron_id
WHERE h.patron_id = $1 AND (h.state IN ('waiting', 'trapped') OR h.closed_at >= $2)
ORDER BY h.id DESC`
	floorHeldSQL = `SELECT DISTINCT l.item_id FROM loans l
JOIN holds h ON h.item_id = l.item_id AND h.state = 'waiting'
WHERE l.patron_id = $1 AND l.returned_at IS NULL`
	// floorTimeLayout is storage's layout of a stored instant.
	floorTimeLayout = "2006-01-02T15:04:05.000000Z"
	// floorHoldHistory is how long closed holds stay on the record.
	floorHoldHistory = 30 * 24 * time.Hour
)

// runFloorServer is `carrel-load floor --db DB`: the floors that need a
// process of their own, so that the client's side costs what it costs
// against Carrel. It serves, on loopback ports it prints:
//
//   - GET /record?barcode=B: the borrowing record's queries over the same
//     database, opened by Carrel's storage package (same driver, pragmas and
//     pools), written as a plain HTML table;
//   - a TCP echo service that answers each CR-terminated line with itself,
//     the most a SIP2 server could do per request over loopback.
func runFloorServer(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("carrel-load floor", flag.ContinueOnError)
	target := fs.String("db", "", "the database: a SQLite file or a postgres:// URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *target == "" {
		return errors.New("floor: give --db")
	}
	db, err := storage.Open(ctx, *target)
	if err != nil {
		return err
	}
	defer db.Close()
	read := storagePool(db.Pools(), "read")
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect() != "sqlite" {
		opts.Isolation = sql.LevelRepeatableRead
	}

	web, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		floorRecord(w, r, read, opts)
	})}
	go srv.Serve(web)
	go serveEcho(echo)
	fmt.Printf("floor: http://%s echo %s\n", web.Addr(), echo.Addr())
	<-ctx.Done()
	echo.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// floorRecord answers one borrowing record request.
func floorRecord(w http.ResponseWriter, r *http.Request, read *sql.DB, opts *sql.TxOptions) {
	ctx := r.Context()
	tx, err := read.BeginTx(ctx, opts)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer tx.Rollback()
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html><body><table>\n")
	row := func(cells []any) {
		b.WriteString("<tr>")
		for _, c := range cells {
			v := *(c.(*any))
			s := ""
			switch x := v.(type) {
			case nil:
			case []byte:
				s = string(x)
			default:
				s = fmt.Sprint(x)
			}
			b.WriteString("<td>" + html.EscapeString(s) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	scanAll := func(q string, n int, args ...any) ([][]any, error) {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out [][]any
		for rows.Next() {
			cells := make([]any, n)
			for i := range cells {
				cells[i] = new(any)
			}
			if err := rows.Scan(cells...); err != nil {
				return nil, err
			}
			out = append(out, cells)
		}
		return out, rows.Err()
	}
	patrons, err := scanAll(floorPatronSQL, 12, r.URL.Query().Get("barcode"))
	if err == nil && len(patrons) == 0 {
		http.NotFound(w, r)
		return
	}
	var id any
	if err == nil {
		id = *(patrons[0][0].(*any))
		row(patrons[0][:8]) // not the PIN's hash
	}
	var loans, fines, holds [][]any
	now := time.Now().UTC()
	if err == nil {
		_, err = scanAll(floorCountSQL, 1, id)
	}
	if err == nil {
		loans, err = scanAll(floorLoansSQL, 13, id, floorPageSize, 0)
	}
	if err == nil {
		_, err = scanAll(floorDueSQL, 1, id, now.Format(floorTimeLayout))
	}
	if err == nil {
		fines, err = scanAll(floorFinesSQL, 1, id)
	}
	if err == nil {
		holds, err = scanAll(floorHoldsSQL, 17, id, now.Add(-floorHoldHistory).Format(floorTimeLayout))
	}
	if err == nil {
		_, err = scanAll(floorHeldSQL, 1, id)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for _, set := range [][][]any{loans, fines, holds} {
		for _, r := range set {
			row(r)
		}
	}
	b.WriteString("</table></body></html>\n")
	tx.Commit()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.Write([]byte(b.String()))
}

// serveEcho answers every CR-terminated line on each connection with
// itself, until the listener closes.
func serveEcho(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadSlice('\r')
				if err != nil {
					return
				}
				if _, err := c.Write(line); err != nil {
					return
				}
			}
		}()
	}
}

// floorProc is a running `carrel-load floor` child process.
type floorProc struct {
	URL, Echo string
	proc      *os.Process
	done      chan struct{}
}

// startFloor starts the floor server on the database target.
func startFloor(ctx context.Context, target string) (*floorProc, error) {
	cmd := exec.Command(self(), floorCommand, "--db", target)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	f := &floorProc{proc: cmd.Process, done: make(chan struct{})}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			select {
			case line <- sc.Text():
			default:
			}
		}
		cmd.Wait()
		close(f.done)
	}()
	select {
	case l := <-line:
		if _, err := fmt.Sscanf(l, "floor: %s echo %s", &f.URL, &f.Echo); err != nil {
			f.Stop()
			return nil, fmt.Errorf("floor server said %q", l)
		}
		return f, nil
	case <-f.done:
		return nil, errors.New("the floor server exited before serving")
	case <-ctx.Done():
		f.Stop()
		return nil, ctx.Err()
	case <-time.After(60 * time.Second):
		f.Stop()
		return nil, errors.New("the floor server did not start in 60 s")
	}
}

// Stop ends the floor server and waits for it.
func (f *floorProc) Stop() {
	f.proc.Signal(os.Interrupt)
	select {
	case <-f.done:
	case <-time.After(10 * time.Second):
		f.proc.Kill()
		<-f.done
	}
}
