package demo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/demo"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// testSize is a generated library small enough for a test and shaped like
// the large one: load-test patrons, every heavy patron, and more returned
// loans than items. The other patrons' 1,500 current loans fill about two
// thirds of what their loan limits allow, so that loans drawn without
// regard to the limits would break them.
var testSize = demo.Size{Patrons: 200, Items: 4000, ReturnedLoans: 8000, OpenLoans: 1111 + 1500,
	LoadPatrons: 16, Heavy: []int{1, 10, 100, 1000}, Seed: 42}

// largeNow is the clock of the generated libraries: a Wednesday morning.
var largeNow = time.Date(2026, 11, 25, 2, 30, 0, 0, time.UTC)

// fillLarge fills the fresh database at target with a generated library.
func fillLarge(t *testing.T, target string, size demo.Size) (*library.Service, *storage.DB, demo.Report) {
	t.Helper()
	db := storagetest.Open(t, target)
	cfg := library.DefaultConfig()
	svc := library.NewService(&cfg, db, library.NewHasher(0))
	svc.SetClock(func() time.Time { return largeNow })
	stages := map[string]bool{}
	rep, err := demo.FillLarge(context.Background(), svc, db, size, func(stage string, done, total int) {
		if done > total {
			t.Errorf("progress of %s: %d of %d", stage, done, total)
		}
		stages[stage] = true
	})
	if err != nil {
		t.Fatalf("FillLarge: %v", err)
	}
	t.Logf("%d rows in %v", rep.Rows(), rep.Elapsed)
	for _, s := range []string{"items", "returned loans", "hashing PINs", "patrons", "open loans"} {
		if !stages[s] {
			t.Errorf("no progress reported for %s", s)
		}
	}
	return svc, db, rep
}

// TestFillLarge generates a library on each database and checks it as a
// librarian and the load tool would: the counts asked for, every loan
// consistent with what check-out and check-in leave, the heavy patrons'
// loans exact, the load-test patrons signing in with their PINs, and
// circulation going on afterwards. The two databases get the same library.
func TestFillLarge(t *testing.T) {
	snapshots := map[string]string{}
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			svc, db, rep := fillLarge(t, k.Fresh(t), testSize)
			c := &largeCheck{t: t, svc: svc, db: db, size: testSize}
			c.counts()
			c.loans()
			c.limits()
			c.pins()
			c.signIn(rep)
			c.circulation(rep)
			snapshots[k.Name] = snapshotLarge(t, svc, db)

			_, err := demo.FillLarge(context.Background(), svc, db, testSize, nil)
			if !errors.Is(err, demo.ErrNotEmpty) {
				t.Errorf("a second fill: %v; want ErrNotEmpty", err)
			}
		})
	}
	if a, b := snapshots["sqlite"], snapshots["postgres"]; a != "" && b != "" && a != b {
		t.Error("the same seed gave different libraries on SQLite and PostgreSQL")
	}
}

// TestFillLargeDeterministic: the same seed gives the same library, and
// another seed another.
func TestFillLargeDeterministic(t *testing.T) {
	size := demo.Size{Patrons: 60, Items: 300, ReturnedLoans: 700, OpenLoans: 100, LoadPatrons: 2, Heavy: []int{1, 5}, Seed: 1}
	fresh := storagetest.Targets()[0].Fresh
	snap := func(size demo.Size) string {
		svc, db, _ := fillLarge(t, fresh(t), size)
		return snapshotLarge(t, svc, db)
	}
	a, b := snap(size), snap(size)
	if a != b {
		t.Error("two libraries generated with the same seed differ")
	}
	size.Seed = 2
	if c := snap(size); c == a {
		t.Error("libraries generated with seeds 1 and 2 are the same")
	}
}

// TestFillLargeRefusesSizes: a size that cannot be generated is refused
// with the reason, before anything is written.
func TestFillLargeRefusesSizes(t *testing.T) {
	base := demo.Size{Patrons: 100, Items: 500, ReturnedLoans: 100, OpenLoans: 200, LoadPatrons: 5, Heavy: []int{1, 10}, Seed: 1}
	for _, tc := range []struct {
		name string
		edit func(s *demo.Size)
		want string
	}{
		{"negative", func(s *demo.Size) { s.Items = -1 }, "negative"},
		{"more load-test patrons than patrons", func(s *demo.Size) { s.LoadPatrons = 99 }, "do not fit in 100 patrons"},
		{"heavy loans beyond the open loans", func(s *demo.Size) { s.Heavy = []int{1, 500} }, "do not fit in 200 open loans"},
		{"a heavy count twice", func(s *demo.Size) { s.Heavy = []int{10, 10} }, "two heavy patrons with 10 loans"},
		{"more open loans than items", func(s *demo.Size) { s.OpenLoans = 600 }, "need as many items"},
		{"open loans beyond the loan limits", func(s *demo.Size) { s.Patrons, s.LoadPatrons = 10, 0 }, "do not fit within the loan limits"},
		{"returned loans without items", func(s *demo.Size) { s.Items, s.OpenLoans, s.Heavy = 0, 0, nil }, "need items"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			size := base
			tc.edit(&size)
			db := storagetest.New(t)
			cfg := library.DefaultConfig()
			svc := library.NewService(&cfg, db, library.NewHasher(0))
			_, err := demo.FillLarge(context.Background(), svc, db, size, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("FillLarge: %v; want an error saying %q", err, tc.want)
			}
			if n := rowsIn(t, db, "patrons") + rowsIn(t, db, "items") + rowsIn(t, db, "sip_accounts"); n != 0 {
				t.Errorf("%d rows written by a refused fill", n)
			}
		})
	}
}
