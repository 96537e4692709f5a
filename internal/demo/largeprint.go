package demo

import (
	"fmt"
	"io"
	"time"
)

// Print writes what FillLarge wrote, how fast, and how a load tool signs
// in to the generated library: the load-test patrons' barcodes and PIN,
// the heavy patrons, the item barcodes and the SIP2 kiosk account.
func (r Report) Print(w io.Writer) {
	s := r.Size
	secs := max(r.Elapsed.Seconds(), 1e-6)
	fmt.Fprintf(w, "Generated library (seed %d): %d patrons, %d items, %d returned loans, %d current loans.\n",
		s.Seed, s.Patrons, s.Items, s.ReturnedLoans, s.OpenLoans)
	fmt.Fprintf(w, "%d rows in %s (%.0f rows/s).\n", r.Rows(), r.Elapsed.Round(time.Millisecond), float64(r.Rows())/secs)
	fmt.Fprintln(w, "Sign-in for load tests (web, SIP2 and API):")
	if s.LoadPatrons > 0 {
		fmt.Fprintf(w, "  load-test patrons: %d students, barcodes %s to %s (consecutive), PIN %s\n",
			s.LoadPatrons, r.LoadBarcodes[0], r.LoadBarcodes[1], LoadPIN)
	}
	for _, h := range r.Heavy {
		loans := "loans"
		if h.Loans == 1 {
			loans = "loan"
		}
		fmt.Fprintf(w, "  heavy patron: barcode %s, PIN %s, %d current %s\n", h.Barcode, LoadPIN, h.Loans, loans)
	}
	fmt.Fprintln(w, "  other patrons: card holders, or registered with the preset PIN (by default the barcode), to be changed at first sign-in")
	if s.Items > 0 {
		fmt.Fprintf(w, "  items: barcodes %s to %s (consecutive); about one in 150 is withdrawn\n", r.ItemBarcodes[0], r.ItemBarcodes[1])
	}
	fmt.Fprintf(w, "  SIP2 kiosk: login %s, password %s, institution %s\n", Kiosk.Login, Kiosk.Password, Kiosk.Institution)
}
