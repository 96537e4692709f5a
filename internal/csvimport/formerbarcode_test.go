package csvimport_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/csvimport"
	"github.com/carrel-library/carrel/internal/library"
)

// A new patron on the barcode of a replaced card, among more new patrons
// than the store writes in one statement, is refused with its own line,
// and nothing of the file is imported.
func TestImportFormerBarcode(t *testing.T) {
	eachDB(t, func(t *testing.T, newService func(testing.TB) *library.Service) {
		svc := newService(t)
		seed(t, svc)
		id := patron(t, svc, "20240001").ID
		err := svc.Store().Update(t.Context(), func(tx library.Tx) error {
			return tx.RetireBarcode(id, "20251500", time.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		before := countAll(t, svc)
		var b strings.Builder
		b.WriteString(patronHeader)
		for i := range 2500 {
			fmt.Fprintf(&b, "2025%04d,student,Student %d,,2025-09-01,2029-08-31,\n", i, i)
		}
		_, err = importCSV(t, svc, csvimport.Patrons, b.String())
		// Line 1 is the header: patron 1500 is on line 1502.
		if err == nil || !strings.Contains(err.Error(), "csvimport: line 1502: ") || !library.IsCode(err, library.ECONFLICT) {
			t.Errorf("import error %v, want a conflict on line 1502", err)
		}
		if after := countAll(t, svc); after != before {
			t.Errorf("database changed: %+v before, %+v after", before, after)
		}
	})
}
