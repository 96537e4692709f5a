package storage_test

import (
	"context"
	"os"
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
)

// BenchmarkDeskSearch times the staff desk's searches, one page of 20 as
// the desk asks for it, on a large library built beforehand:
//
//	carrel demo --size large --db /tmp/large.db
//	CARREL_SEARCH_BENCH_DB=/tmp/large.db go test -run '^$' -bench DeskSearch ./internal/storage/
//
// (or a postgres:// URL). The library must be at this Carrel's schema
// version (carrel migrate); the benchmark only reads it.
func BenchmarkDeskSearch(b *testing.B) {
	target := os.Getenv("CARREL_SEARCH_BENCH_DB")
	if target == "" {
		b.Skip("set CARREL_SEARCH_BENCH_DB to a large library (carrel demo --size large) to time the desk's searches")
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, target)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, s := range []struct {
		name, text string
		items      bool
	}{
		{"item title word", "Cantonese", true},
		{"item author", "Kumar", true},
		{"item call number", "PL1736", true},
		{"item Chinese title", "語法", true},
		{"item no match", "zzyzx", true},
		{"item short", "hk", true},
		{"patron name", "Clarke", false},
		{"patron email", "20031234@stu", false},
		{"patron no match", "zzyzx", false},
	} {
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				err := db.View(ctx, func(tx library.Tx) error {
					var err error
					if s.items {
						_, err = tx.SearchItems(library.ItemQuery{Text: s.text, Limit: library.DefaultPageSize + 1})
					} else {
						_, err = tx.SearchPatrons(library.PatronQuery{Text: s.text, Limit: library.DefaultPageSize + 1})
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
