package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// createPatrons stores n import-like patrons in one Update, as the CSV
// import does.
func createPatrons(tb testing.TB, db *storage.DB, n int) {
	tb.Helper()
	err := db.Update(tb.Context(), func(tx library.Tx) error {
		for i := range n {
			p := library.Patron{
				Barcode:      fmt.Sprintf("%08d", 20000000+i),
				Category:     "student",
				Name:         fmt.Sprintf("Student %d", i),
				Email:        fmt.Sprintf("s%d@example.edu.hk", i),
				RegisteredOn: library.NewDate(2024, 9, 1),
				ExpiresOn:    library.NewDate(2028, 8, 31),
				PIN:          library.PINRecord{Kind: library.PINPreset},
			}
			if err := tx.CreatePatron(&p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// 100,000 patrons in one transaction, read back in order. How long it takes
// is logged here and measured by BenchmarkCreatePatrons100k, not asserted.
func TestImport100kPatrons(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 patrons: not in -short")
	}
	const n = 100_000
	db := storagetest.New(t)
	start := time.Now()
	createPatrons(t, db, n)
	created := time.Since(start)

	start = time.Now()
	seen, last := 0, ""
	view(t, db, func(tx library.Tx) error {
		return tx.EachPatron(func(p library.Patron) error {
			if p.Barcode <= last {
				t.Fatalf("EachPatron out of order: %q after %q", p.Barcode, last)
			}
			seen, last = seen+1, p.Barcode
			return nil
		})
	})
	streamed := time.Since(start)
	t.Logf("CreatePatron ×%d in one Update: %v; EachPatron over them: %v", n, created, streamed)
	if seen != n {
		t.Errorf("EachPatron saw %d patrons, want %d", seen, n)
	}
}

func BenchmarkCreatePatrons100k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		db := storagetest.New(b)
		b.StartTimer()
		createPatrons(b, db, 100_000)
	}
}

func BenchmarkEachPatron100k(b *testing.B) {
	db := storagetest.New(b)
	createPatrons(b, db, 100_000)
	for b.Loop() {
		err := db.View(b.Context(), func(tx library.Tx) error {
			return tx.EachPatron(func(library.Patron) error { return nil })
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
