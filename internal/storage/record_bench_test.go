package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// The borrowing record, the page every patron sees after signing in, read
// from a library that holds far more than the patron's own loans: its cost
// must grow with the loans shown, not with the library.

// recordLoans are the numbers of current loans of the patrons whose record
// is read.
var recordLoans = []int{1, 10, 100, 1000}

// The size of the rest of the library, about half of the large library the
// performance targets speak of (1,200,000 rows in all). Building it takes
// 5 to 7 s on SQLite on a 2-core machine, and copying it into PostgreSQL
// about as long again.
const (
	benchOthers       = 10000     // other patrons
	benchOtherLoans   = 5         // current loans of each other patron
	benchPool         = 100_000   // items lent to other patrons, now or before
	benchReturned     = 1_000_000 // returned loans, most unlinked from their patron
	benchHistoryLoans = 1000      // returned loans each measured patron keeps in its history
	benchWaitingHolds = 6000      // holds of other patrons waiting in queues of three
	benchClosedHolds  = 30_000    // holds closed long ago
)

// benchNow is the instant the records are read at: Saturday 28 November
// 2026, 10:00 in Hong Kong.
var benchNow = time.Date(2026, time.November, 28, 2, 0, 0, 0, time.UTC)

// recordLibrary fills db with the library described above and returns the
// IDs of the measured patrons by their number of current loans.
func recordLibrary(b *testing.B, db *storage.DB) map[int]int64 {
	b.Helper()
	ids := map[int]int64{}
	day := func(n int) time.Time { return benchNow.AddDate(0, 0, n) }
	err := db.Update(b.Context(), func(tx library.Tx) error {
		newItem := func(barcode string) (library.Item, error) {
			it := library.Item{Barcode: barcode, Title: "Title of " + barcode, Author: "Author", CallNumber: "QA76.73 .G63", Location: "MAIN-3F"}
			return it, tx.CreateItem(&it)
		}
		newPatron := func(barcode string) (library.Patron, error) {
			p := library.Patron{Barcode: barcode, Category: "student", Name: "Patron " + barcode,
				RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31),
				PIN: library.PINRecord{Kind: library.PINPreset}}
			return p, tx.CreatePatron(&p)
		}
		pool := make([]library.Item, benchPool)
		for i := range pool {
			var err error
			if pool[i], err = newItem(fmt.Sprintf("P%06d", i)); err != nil {
				return err
			}
		}
		others := make([]library.Patron, benchOthers)
		for i := range others {
			var err error
			if others[i], err = newPatron(fmt.Sprintf("%08d", 20000000+i)); err != nil {
				return err
			}
			for j := range benchOtherLoans {
				l := library.Loan{PatronID: others[i].ID, Item: pool[i*benchOtherLoans+j], CheckedOutAt: day(-10 - j), DueAt: day(4 - j)}
				if err := tx.CreateLoan(&l); err != nil {
					return err
				}
			}
			if i%4 == 0 {
				f := library.FineEntry{PatronID: others[i].ID, Kind: library.FineCharge, Amount: 300, CreatedAt: day(-30)}
				if err := tx.AddFine(&f); err != nil {
					return err
				}
			}
		}
		// Holds of other patrons: queues of three on some of the items
		// they have on loan, and holds closed long ago, four in five of
		// them unlinked from their patron.
		for i := range benchWaitingHolds {
			h := library.Hold{PatronID: others[(i+benchOthers/2)%benchOthers].ID, Item: pool[(i/3)*benchOtherLoans+1],
				State: library.HoldWaiting, PlacedAt: day(-9 + i%3)}
			if err := tx.CreateHold(&h); err != nil {
				return err
			}
		}
		for i := range benchClosedHolds {
			h := library.Hold{Item: pool[(i*13)%benchPool], State: library.HoldFulfilled, PlacedAt: day(-400 + i%300), ClosedAt: day(-390 + i%300)}
			if i%5 == 0 {
				h.PatronID = others[i%benchOthers].ID
			}
			if err := tx.CreateHold(&h); err != nil {
				return err
			}
		}
		// Past loans: four in five unlinked from their patron (the default),
		// the rest kept in some other patron's history.
		for i := range benchReturned {
			l := library.Loan{Item: pool[i%benchPool], CheckedOutAt: day(-700 + i%650), DueAt: day(-686 + i%650), ReturnedAt: day(-690 + i%650)}
			if i%5 == 0 {
				l.PatronID = others[i%benchOthers].ID
			}
			if err := tx.CreateLoan(&l); err != nil {
				return err
			}
		}
		for _, n := range recordLoans {
			p, err := newPatron(fmt.Sprintf("2109%04d", n))
			if err != nil {
				return err
			}
			ids[n] = p.ID
			var first library.Item
			for j := range n {
				it, err := newItem(fmt.Sprintf("M%04d-%04d", n, j))
				if err != nil {
					return err
				}
				if j == 0 {
					first = it
				}
				// One loan in ten is overdue; the rest fall due over the next weeks.
				due := day(1 + j%28)
				if j%10 == 0 {
					due = day(-1 - j%40)
				}
				l := library.Loan{PatronID: p.ID, Item: it, CheckedOutAt: due.AddDate(0, 0, -14), DueAt: due, Renewals: j % 3}
				if err := tx.CreateLoan(&l); err != nil {
					return err
				}
			}
			for j := range benchHistoryLoans {
				l := library.Loan{PatronID: p.ID, Item: pool[(j*7)%benchPool], CheckedOutAt: day(-400 + j%300), DueAt: day(-386 + j%300), ReturnedAt: day(-390 + j%300)}
				if err := tx.CreateLoan(&l); err != nil {
					return err
				}
			}
			for _, f := range []library.FineEntry{
				{PatronID: p.ID, Kind: library.FineCharge, Amount: 1200, CreatedAt: day(-60)},
				{PatronID: p.ID, Kind: library.FinePayment, Amount: 500, Method: library.PayCash, Receipt: "R-1", CreatedAt: day(-50)},
			} {
				if err := tx.AddFine(&f); err != nil {
					return err
				}
			}
			// Two holds of the patron's own, and someone waiting for the
			// first item the patron has, so that it cannot be renewed.
			for j := range 2 {
				h := library.Hold{PatronID: p.ID, Item: pool[benchOthers*benchOtherLoans+n+j], State: library.HoldWaiting, PlacedAt: day(-3)}
				if err := tx.CreateHold(&h); err != nil {
					return err
				}
			}
			h := library.Hold{PatronID: others[n%benchOthers].ID, Item: first, State: library.HoldWaiting, PlacedAt: day(-2)}
			if err := tx.CreateHold(&h); err != nil {
				return err
			}
			// Holds the patron collected: one last week, which the record
			// shows, and five long ago, which it does not.
			for j := range 6 {
				closed := day(-7)
				if j > 0 {
					closed = day(-40 - 10*j)
				}
				h := library.Hold{PatronID: p.ID, Item: pool[(n*31+j*17)%benchPool], State: library.HoldFulfilled, PlacedAt: closed.AddDate(0, 0, -5), ClosedAt: closed}
				if err := tx.CreateHold(&h); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// BenchmarkBorrowingRecord reads the borrowing record of a patron with 1,
// 10, 100 and 1,000 current loans. "query" is what the store does for it:
// the patron, the open loans with their items, the fine balance, the holds
// and the held items, in one read transaction, as Service.BorrowingRecord
// asks for them. "record" is Service.BorrowingRecord itself: the same
// queries and the domain's work on them (overdue days, fines, renewal
// rules). "page" is Service.BorrowingRecordPage for the first page of 50
// loans, what My Account shows: it reads only the loans shown, and the
// count and due times for the totals. The library is built once on SQLite
// and copied into PostgreSQL (when CARREL_TEST_POSTGRES is set); building
// it is not timed.
func BenchmarkBorrowingRecord(b *testing.B) {
	start := time.Now()
	src := storagetest.New(b)
	ids := recordLibrary(b, src)
	b.Logf("library built on SQLite in %v", time.Since(start).Round(time.Millisecond))
	b.Run("db=sqlite", func(b *testing.B) { benchRecords(b, src, ids) })
	b.Run("db=postgres", func(b *testing.B) {
		dst := storagetest.NewPostgres(b)
		rep, err := storage.Copy(b.Context(), dst, src, storage.CopyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("library copied into PostgreSQL in %v (%d rows)", rep.Elapsed.Round(time.Millisecond), rep.Rows())
		benchRecords(b, dst, ids)
	})
}

// benchRecords runs the query and record sub-benchmarks on db.
func benchRecords(b *testing.B, db *storage.DB, ids map[int]int64) {
	cfg := library.DefaultConfig()
	svc := library.NewService(&cfg, db, nil)
	svc.SetClock(func() time.Time { return benchNow })
	ctx := context.Background()
	for _, n := range recordLoans {
		id := ids[n]
		rec, err := svc.BorrowingRecord(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if len(rec.Loans) != n || len(rec.Holds) != 3 || rec.FineBalance != 700 || rec.Loans[0].RenewRefusal == nil {
			b.Fatalf("loans=%d: record has %d loans, %d holds, balance %v", n, len(rec.Loans), len(rec.Holds), rec.FineBalance)
		}
		b.Run(fmt.Sprintf("query/loans=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := db.View(ctx, func(tx library.Tx) error { return recordQueries(tx, id) }); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("record/loans=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.BorrowingRecord(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
		// What My Account reads: the first page of 50 loans, with the
		// totals over all of them.
		b.Run(fmt.Sprintf("page/loans=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.BorrowingRecordPage(ctx, id, library.LoanPage{Page: 1, Size: 50}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// recordQueries asks the store what Service.BorrowingRecord asks it.
func recordQueries(tx library.Tx, patronID int64) error {
	if _, err := tx.PatronByID(patronID); err != nil {
		return err
	}
	if _, err := tx.OpenLoans(patronID); err != nil {
		return err
	}
	if _, err := tx.FineBalance(patronID); err != nil {
		return err
	}
	if _, err := tx.PatronHolds(patronID, benchNow.Add(-30*24*time.Hour)); err != nil {
		return err
	}
	_, err := tx.HeldItems(patronID)
	return err
}
