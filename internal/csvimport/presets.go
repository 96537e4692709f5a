package csvimport

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/carrel-library/carrel/internal/library"
)

// presetsToHash returns the rows whose legacy preset the import will store.
// Deciding needs the patrons already stored (a kept PIN is not re-hashed),
// so they are read in a read-only transaction first; applyPatron checks
// again inside the write transaction. A file with no legacy presets, such
// as the yearly intake, costs no extra read.
func presetsToHash(ctx context.Context, svc *library.Service, pats []patronRow) ([]*patronRow, error) {
	var candidates []*patronRow
	for i := range pats {
		if pats[i].preset != "" {
			candidates = append(candidates, &pats[i])
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	var need []*patronRow
	err := svc.Store().View(ctx, func(tx library.Tx) error {
		need = need[:0]
		existing, err := loadPatrons(tx)
		if err != nil {
			return err
		}
		for _, r := range candidates {
			if old, found := existing[r.p.Barcode]; r.needsHash(old, found) {
				need = append(need, r)
			}
		}
		return nil
	})
	return need, err
}

// hashPresets hashes the rows' presets in parallel. The hasher's own
// semaphore bounds how many run at once (each holds 19 MiB); the workers
// here only keep that many goroutines busy without one per row.
func hashPresets(ctx context.Context, h *library.Hasher, rows []*patronRow, m *meter) error {
	if len(rows) == 0 {
		return nil
	}
	if h == nil {
		return errors.New("csvimport: legacy presets to hash but the service has no PIN hasher")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		failOnce sync.Once
		failure  error
	)
	for range min(len(rows), runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(rows) || ctx.Err() != nil {
					return
				}
				hash, err := h.Hash(ctx, rows[i].preset)
				if err != nil {
					failOnce.Do(func() { failure = err; cancel() })
					return
				}
				rows[i].hash = hash
				m.step(1)
			}
		})
	}
	wg.Wait()
	if failure != nil {
		// The error is the hasher's: it never contains the PIN.
		return fmt.Errorf("csvimport: hash legacy presets: %w", failure)
	}
	return ctx.Err()
}
