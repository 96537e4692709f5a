package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// bulkPatrons are the patrons of the bulk loads below: one with a PIN of
// her own, one on the barcode preset, one card holder.
func bulkPatrons(at time.Time) []library.Patron {
	return []library.Patron{
		{ID: 1, Barcode: "20240001", Category: "student", Name: "Chan Ka Yan", Email: "20240001@stu.college.example",
			RegisteredOn: library.NewDate(2024, 9, 2), ExpiresOn: library.NewDate(2028, 8, 31),
			PIN: library.PINRecord{Kind: library.PINChosen, SetAt: at,
				Hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"}},
		{ID: 2, Barcode: "20240002", Category: "student", Name: "Wong Chun Kit", RegisteredOn: library.NewDate(2024, 9, 3),
			PIN: library.PINRecord{Kind: library.PINPreset, SetAt: at}},
		{ID: 3, Barcode: "S1001", Category: "staff", Name: "Lee Mei Ling", PIN: library.PINRecord{Kind: library.PINNone}},
	}
}

// bulkItems are the items of the bulk loads below.
func bulkItems() []library.Item {
	return []library.Item{
		{ID: 1, Barcode: "B0001", Title: "Call to Arms", Author: "Lu Xun", CallNumber: "PL2754 .S5", Location: "Chinese Collection"},
		{ID: 2, Barcode: "B0002", Title: "Fortress Besieged", Author: "Qian Zhongshu", CallNumber: "PL2765 .I4", Location: "Chinese Collection"},
		{ID: 3, Barcode: "B0003", Title: "Old Copy", Withdrawn: true},
	}
}

// TestBulkLoad writes a small library through the bulk writer and reads
// it back through the store, as Carrel will: the same patrons, items and
// loans, the schema's rules still in force, and new rows numbered after
// the loaded ones.
func TestBulkLoad(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		at := time.Date(2025, 3, 3, 2, 15, 0, 123456000, time.UTC)
		patrons, items := bulkPatrons(at), bulkItems()
		loans := []library.Loan{
			// Item 1 lent to patron 2 and returned, unlinked; then lent to patron 1.
			{ID: 1, Item: items[0], CheckedOutAt: at.Add(-40 * 24 * time.Hour), DueAt: at.Add(-26 * 24 * time.Hour), ReturnedAt: at.Add(-30 * 24 * time.Hour)},
			{ID: 2, PatronID: 1, Item: items[0], CheckedOutAt: at, DueAt: at.Add(14 * 24 * time.Hour)},
			{ID: 3, PatronID: 1, Item: items[1], CheckedOutAt: at, DueAt: at.Add(14 * 24 * time.Hour), Renewals: 1},
		}
		var progress []int
		err := db.BulkLoad(ctx, func(b *storage.Bulk) error {
			b.Progress = func(table string, done, total int) {
				if table == "loans" {
					progress = append(progress, done, total)
				}
			}
			if err := b.Items(len(items), func(i int) library.Item { return items[i] }); err != nil {
				return err
			}
			if err := b.Patrons(len(patrons), func(i int) library.Patron { return patrons[i] }); err != nil {
				return err
			}
			if err := b.Loans(len(loans), func(i int) library.Loan { return loans[i] }); err != nil {
				return err
			}
			return b.Audit(library.AuditEntry{At: at, Actor: "system", Action: "demo.fill", Detail: "3 patrons"})
		})
		if err != nil {
			t.Fatalf("BulkLoad: %v", err)
		}
		diff(t, "progress of the loans", progress, []int{0, 3, 3, 3})
		if db.Dialect() == "sqlite" {
			// The writer goes back to the pool with the page cache it had.
			var cache int
			if err := db.Pools()["write"].QueryRow(`PRAGMA cache_size`).Scan(&cache); err != nil || cache != -2000 {
				t.Errorf("the writer's page cache after the load: %d (%v); want SQLite's default, -2000", cache, err)
			}
		}

		view(t, db, func(tx library.Tx) error {
			for _, want := range patrons {
				got, err := tx.PatronByBarcode(want.Barcode)
				if err != nil {
					return err
				}
				diff(t, "patron "+want.Barcode, got, want)
			}
			for _, want := range items {
				got, err := tx.ItemByBarcode(want.Barcode)
				if err != nil {
					return err
				}
				diff(t, "item "+want.Barcode, got, want)
			}
			open, err := tx.OpenLoans(1)
			if err != nil {
				return err
			}
			diff(t, "patron 1's open loans", open, loans[1:])
			if n, err := tx.CountOpenLoans(2); err != nil || n != 0 {
				t.Errorf("patron 2 has %d open loans (%v); want 0: the returned loan is unlinked", n, err)
			}
			return nil
		})

		update(t, db, func(tx library.Tx) error {
			// New rows come after the loaded ones.
			p := library.Patron{Barcode: "20240004", Category: "student", PIN: library.PINRecord{Kind: library.PINNone}}
			if err := tx.CreatePatron(&p); err != nil {
				return err
			}
			it := library.Item{Barcode: "B0004"}
			if err := tx.CreateItem(&it); err != nil {
				return err
			}
			l := library.Loan{PatronID: 2, Item: it, CheckedOutAt: at, DueAt: at}
			if err := tx.CreateLoan(&l); err != nil {
				return err
			}
			e := library.AuditEntry{At: at, Actor: "system", Action: "test"}
			if err := tx.AddAudit(&e); err != nil {
				return err
			}
			diff(t, "ids after the load (patron, item, loan, audit entry)", []int64{p.ID, it.ID, l.ID, e.ID}, []int64{4, 4, 4, 2})
			return nil
		})
		// The schema still refuses an item lent twice (checked last: on
		// PostgreSQL the failed insert uses up an id of the sequence).
		err = db.Update(ctx, func(tx library.Tx) error {
			l := library.Loan{PatronID: 2, Item: items[0], CheckedOutAt: at, DueAt: at}
			return tx.CreateLoan(&l)
		})
		wantCode(t, err, library.ECONFLICT)
	})
}

// TestBulkLoadRefusesNonEmpty: a bulk load fills only an empty database,
// and leaves one that holds anything as it was.
func TestBulkLoadRefusesNonEmpty(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		addPatron(t, db, "20249999")
		called := false
		err := db.BulkLoad(context.Background(), func(b *storage.Bulk) error {
			called = true
			return nil
		})
		if !errors.Is(err, storage.ErrTargetNotEmpty) {
			t.Fatalf("BulkLoad into a database with a patron: %v; want ErrTargetNotEmpty", err)
		}
		if called {
			t.Error("the load ran on a database that is not empty")
		}
		view(t, db, func(tx library.Tx) error {
			n, err := tx.CountPatrons()
			if n != 1 {
				t.Errorf("%d patrons after the refused load; want the 1 there was", n)
			}
			return err
		})
	})
}

// TestBulkLoadAllOrNothing: a load that fails at any point, by the
// caller's error or the schema's refusal, writes nothing, and the database
// can be loaded afterwards.
func TestBulkLoadAllOrNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		at := time.Date(2025, 3, 3, 2, 15, 0, 0, time.UTC)
		patrons, items := bulkPatrons(at), bulkItems()
		writeAll := func(b *storage.Bulk) error {
			if err := b.Patrons(len(patrons), func(i int) library.Patron { return patrons[i] }); err != nil {
				return err
			}
			return b.Items(len(items), func(i int) library.Item { return items[i] })
		}
		stop := errors.New("stop")
		failures := map[string]func(b *storage.Bulk) error{
			"the caller's error": func(b *storage.Bulk) error {
				if err := writeAll(b); err != nil {
					return err
				}
				return stop
			},
			"a loan of an item that does not exist": func(b *storage.Bulk) error {
				if err := writeAll(b); err != nil {
					return err
				}
				return b.Loans(1, func(int) library.Loan {
					return library.Loan{ID: 1, PatronID: 1, Item: library.Item{ID: 99}, CheckedOutAt: at, DueAt: at}
				})
			},
			"an item lent twice": func(b *storage.Bulk) error {
				if err := writeAll(b); err != nil {
					return err
				}
				return b.Loans(2, func(i int) library.Loan {
					return library.Loan{ID: int64(i + 1), PatronID: 1, Item: items[0], CheckedOutAt: at, DueAt: at}
				})
			},
			"a row without an id": func(b *storage.Bulk) error {
				return b.Items(1, func(int) library.Item { return library.Item{Barcode: "B0009"} })
			},
		}
		for name, fn := range failures {
			if err := db.BulkLoad(ctx, fn); err == nil {
				t.Errorf("%s: the load succeeded", name)
			} else {
				t.Logf("%s: %v", name, err)
			}
			view(t, db, func(tx library.Tx) error {
				patrons, err := tx.CountPatrons()
				if err != nil {
					return err
				}
				items, err := tx.CountItems()
				if patrons != 0 || items != 0 {
					t.Errorf("%s: %d patrons and %d items left behind; want none", name, patrons, items)
				}
				return err
			})
		}
		if err := db.BulkLoad(ctx, writeAll); err != nil {
			t.Fatalf("a load after the failed ones: %v", err)
		}
	})
}
