package csvimport_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/csvimport"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// now is the tests' clock: a Friday in term time, in Hong Kong.
var now = time.Date(2026, time.November, 27, 10, 0, 0, 0, time.FixedZone("HKT", 8*3600))

// newService returns a service over a fresh, real, migrated database.
func newService(t testing.TB) *library.Service {
	t.Helper()
	return serviceOn(t, storagetest.New(t))
}

// eachDB runs body as a subtest on each kind of database (SQLite, and
// PostgreSQL when CARREL_TEST_POSTGRES is set); inside it, newService makes
// services over fresh databases of that kind.
func eachDB(t *testing.T, body func(t *testing.T, newService func(testing.TB) *library.Service)) {
	t.Helper()
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			body(t, func(t testing.TB) *library.Service {
				t.Helper()
				return serviceOn(t, storagetest.Open(t, k.Fresh(t)))
			})
		})
	}
}

// serviceOn returns a service with the default rules over store.
func serviceOn(t testing.TB, store library.Store) *library.Service {
	t.Helper()
	cfg := library.DefaultConfig()
	svc := library.NewService(&cfg, store, library.NewHasher(0))
	svc.SetClock(func() time.Time { return now })
	return svc
}

// importCSV imports text as a file of the given kind.
func importCSV(t testing.TB, svc *library.Service, kind csvimport.Kind, text string) (csvimport.Summary, error) {
	t.Helper()
	return csvimport.Import(context.Background(), svc, kind, strings.NewReader(text), nil)
}

// mustImport imports text and fails the test on any error.
func mustImport(t testing.TB, svc *library.Service, kind csvimport.Kind, text string) csvimport.Summary {
	t.Helper()
	sum, err := importCSV(t, svc, kind, text)
	if err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
	return sum
}

// lineErrors returns the problems of a rejected import, failing the test
// when err is not an *csvimport.Errors.
func lineErrors(t testing.TB, err error) []csvimport.LineError {
	t.Helper()
	var ie *csvimport.Errors
	if !errors.As(err, &ie) {
		t.Fatalf("got error %v, want *csvimport.Errors", err)
	}
	return ie.Lines
}

// counts is how much the database holds.
type counts struct{ patrons, items, openLoans int }

func countAll(t testing.TB, svc *library.Service) counts {
	t.Helper()
	var c counts
	err := svc.Store().View(context.Background(), func(tx library.Tx) error {
		var err error
		if c.patrons, err = tx.CountPatrons(); err != nil {
			return err
		}
		if c.items, err = tx.CountItems(); err != nil {
			return err
		}
		var ids []int64
		if err := tx.EachPatron(func(p library.Patron) error {
			ids = append(ids, p.ID)
			return nil
		}); err != nil {
			return err
		}
		for _, id := range ids {
			n, err := tx.CountOpenLoans(id)
			if err != nil {
				return err
			}
			c.openLoans += n
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// patron returns the stored patron with the barcode.
func patron(t testing.TB, svc *library.Service, barcode string) library.Patron {
	t.Helper()
	var p library.Patron
	err := svc.Store().View(context.Background(), func(tx library.Tx) error {
		var err error
		p, err = tx.PatronByBarcode(barcode)
		return err
	})
	if err != nil {
		t.Fatalf("patron %s: %v", barcode, err)
	}
	return p
}

const patronHeader = "barcode,category,name,email,registered_on,expires_on,hkid\n"
const itemHeader = "barcode,title,author,call_number,location\n"
const loanHeader = "patron_barcode,item_barcode,checked_out_on,due_on\n"

// seed gives a library a few patrons (registered students, a card holder,
// a member of staff), items and one loan, for imports that refer to them.
func seed(t testing.TB, svc *library.Service) {
	t.Helper()
	mustImport(t, svc, csvimport.Patrons, patronHeader+
		"20240001,student,Chan Tai Man,tm.chan@example.edu.hk,2024-09-01,2028-08-31,\n"+
		"20240002,student,Wong Siu Ming,,2024-09-01,2028-08-31,\n"+
		"20240003,student,Lee Ka Yan,,,,\n"+
		"S1001,staff,Ho Wing Sze,w.ho@example.edu.hk,2019-01-10,,\n")
	mustImport(t, svc, csvimport.Items, itemHeader+
		"B0001,Dream of the Red Chamber,Cao Xueqin,PL2727 .S2,Main Library\n"+
		"B0002,Fortress Besieged,Qian Zhongshu,PL2747 .C4,Main Library\n"+
		"B0003,The Book and the Sword,Jin Yong,PL2848 .Y8,Main Library\n"+
		"B0004,Half of Man Is Woman,Zhang Xianliang,PL2919 .X5,Main Library\n")
	mustImport(t, svc, csvimport.Loans, loanHeader+"20240002,B0003,2026-11-01,2026-11-15\n")
}
