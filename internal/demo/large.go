package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
)

// Size is the shape of a generated library (FillLarge): how many rows of
// each kind, for measuring Carrel at any size.
type Size struct {
	// Patrons counts every patron, the load-test and heavy ones included.
	Patrons int
	Items   int
	// ReturnedLoans are past loans, unlinked from their patrons as Carrel
	// unlinks a returned loan by default.
	ReturnedLoans int
	// OpenLoans are current loans, the heavy patrons' included.
	OpenLoans int
	// LoadPatrons is how many students get LoadPIN as a PIN of their own
	// choosing, each hashed with argon2id and its own salt. Hashing costs
	// about 42 ms of a core per PIN, so the rest of the patrons are left on
	// the barcode preset or as card holders.
	LoadPatrons int
	// Heavy gives one heavy patron per entry, a member of staff with exactly
	// that many current loans, whatever the loan limit.
	Heavy []int
	// Seed fixes the library: the same seed and size give the same rows
	// (but for the salts of the PIN hashes and the times rows were written).
	Seed uint64
}

// LargeSize is the large library of the performance targets: 50,000
// patrons, 500,000 items, 2,000,000 returned and 100,000 current loans.
func LargeSize() Size {
	return Size{Patrons: 50_000, Items: 500_000, ReturnedLoans: 2_000_000, OpenLoans: 100_000,
		LoadPatrons: 2_000, Heavy: []int{1, 10, 100, 1000}, Seed: 1}
}

// LoadPIN is the PIN of every load-test patron and heavy patron of a
// generated library. The same PIN hashed with a salt of each patron's own
// gives a different hash for each; a load tool needs to know only this.
const LoadPIN = "carrel-load-test"

// Barcodes of a generated library: students have eight digits counted up
// from firstStudent (the load-test patrons are the first of them), other
// staff "ST" and six digits, heavy patrons HEAVY and their loan count, and
// items firstItem and on.
const (
	firstStudent = 20000001
	firstItem    = 1000001
	heavyPrefix  = "HEAVY"
)

// Report says what FillLarge wrote and how a load tool signs in to it.
type Report struct {
	Size    Size
	Elapsed time.Duration
	// LoadBarcodes are the first and last barcode of the load-test
	// patrons, a range of consecutive numbers; their PIN is LoadPIN.
	LoadBarcodes [2]string
	// Heavy are the heavy patrons, in the order of Size.Heavy.
	Heavy []HeavyPatron
	// ItemBarcodes are the first and last item barcode, consecutive numbers.
	ItemBarcodes [2]string
}

// HeavyPatron is a patron of a generated library with a known number of
// current loans; the PIN is LoadPIN.
type HeavyPatron struct {
	Barcode string
	Loans   int
}

// Rows is how many patrons, items and loans were written.
func (r Report) Rows() int {
	return r.Size.Patrons + r.Size.Items + r.Size.ReturnedLoans + r.Size.OpenLoans
}

// FillLarge fills the empty database db, which svc runs on, with a
// generated library of the given size, in one transaction, then adds the
// demo's SIP2 kiosk account. A database holding anything is refused with
// ErrNotEmpty. progress, when not nil, is called now and then with the
// stage ("items", "returned loans", "hashing PINs", "patrons", "open
// loans") and how far it is.
//
// The rows are what Carrel's own operations would have left: each current
// loan is within its patron's category's loan limit, to a registered
// patron, of an item not withdrawn and lent once; every returned loan is
// unlinked from its patron, returned before it fell due (no fines), and
// never overlaps another loan of its item. The one exception is the heavy
// patrons, whose loans are taken as loans imported from an old system,
// which `carrel import loans` accepts past the limit too. Like an import,
// the fill writes one entry in the audit log, not one per loan.
func FillLarge(ctx context.Context, svc *library.Service, db *storage.DB, size Size,
	progress func(stage string, done, total int)) (Report, error) {
	start := time.Now()
	if progress == nil {
		progress = func(string, int, int) {}
	}
	cfg := svc.Config()
	lp, err := planLarge(cfg, svc.Now(), size)
	if err != nil {
		return Report{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	hashes := lp.hashPINs(ctx, svc.Hasher())
	defer func() {
		cancel()
		hashes.wg.Wait()
	}()

	err = db.BulkLoad(ctx, func(b *storage.Bulk) error {
		stage := ""
		b.Progress = func(_ string, done, total int) { progress(stage, done, total) }
		stage = "items"
		if err := b.Items(size.Items, lp.item); err != nil {
			return err
		}
		stage = "returned loans"
		if err := b.Loans(size.ReturnedLoans, lp.returnedLoans()); err != nil {
			return err
		}
		if err := hashes.wait(ctx, progress); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		stage = "patrons"
		if err := b.Patrons(size.Patrons, func(i int) library.Patron { return lp.patrons[i] }); err != nil {
			return err
		}
		stage = "open loans"
		if err := b.Loans(size.OpenLoans, lp.openLoan); err != nil {
			return err
		}
		return b.Audit(library.AuditEntry{At: lp.g.now, Actor: "system", Action: "demo.fill", Detail: fmt.Sprintf(
			"generated library (seed %d): %d patrons, %d items, %d returned and %d current loans",
			size.Seed, size.Patrons, size.Items, size.ReturnedLoans, size.OpenLoans)})
	})
	if errors.Is(err, storage.ErrTargetNotEmpty) {
		return Report{}, fmt.Errorf("%w: %w", ErrNotEmpty, err)
	}
	if err != nil {
		return Report{}, err
	}
	if err := addKiosk(ctx, svc); err != nil {
		return Report{}, fmt.Errorf("demo: the SIP2 kiosk account: %w", err)
	}
	rep := Report{Size: size, Elapsed: time.Since(start),
		ItemBarcodes: [2]string{itemBarcode(0), itemBarcode(size.Items - 1)}}
	if size.LoadPatrons > 0 {
		rep.LoadBarcodes = [2]string{studentBarcode(0), studentBarcode(size.LoadPatrons - 1)}
	}
	for _, n := range size.Heavy {
		rep.Heavy = append(rep.Heavy, HeavyPatron{Barcode: heavyBarcode(n), Loans: n})
	}
	return rep, nil
}

// check refuses a size that cannot be generated, saying why.
func (s Size) check() error {
	switch {
	case s.Patrons < 0 || s.Items < 0 || s.ReturnedLoans < 0 || s.OpenLoans < 0 || s.LoadPatrons < 0:
		return errors.New("demo: sizes cannot be negative")
	case s.LoadPatrons+len(s.Heavy) > s.Patrons:
		return fmt.Errorf("demo: %d load-test and %d heavy patrons do not fit in %d patrons", s.LoadPatrons, len(s.Heavy), s.Patrons)
	case s.ReturnedLoans > 0 && s.Items == 0:
		return errors.New("demo: returned loans need items")
	}
	heavy := 0
	for i, n := range s.Heavy {
		if n < 1 || len(heavyBarcode(n)) > 12 {
			return fmt.Errorf("demo: a heavy patron's loans must be from 1 to 9,999,999, not %d", n)
		}
		if slices.Contains(s.Heavy[:i], n) {
			return fmt.Errorf("demo: two heavy patrons with %d loans: each count once", n)
		}
		heavy += n
	}
	if heavy > s.OpenLoans {
		return fmt.Errorf("demo: the heavy patrons' %d loans do not fit in %d open loans", heavy, s.OpenLoans)
	}
	return nil
}

// pinHashes are the PIN hashes of the load-test and heavy patrons, being
// worked out in the background while the items and old loans are written.
type pinHashes struct {
	done, total atomic.Int64
	wg          sync.WaitGroup
	mu          sync.Mutex
	err         error
}

// wait waits for every hash, telling progress how many are done.
func (h *pinHashes) wait(ctx context.Context, progress func(string, int, int)) error {
	finished := make(chan struct{})
	go func() { h.wg.Wait(); close(finished) }()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		progress("hashing PINs", int(h.done.Load()), int(h.total.Load()))
		select {
		case <-finished:
			progress("hashing PINs", int(h.done.Load()), int(h.total.Load()))
			h.mu.Lock()
			defer h.mu.Unlock()
			return h.err
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
