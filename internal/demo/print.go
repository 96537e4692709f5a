package demo

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// PrintSignIn writes the URLs and the demo sign-in details to w: one line
// per named demo patron, then one per demo staff account, in aligned
// columns.
func PrintSignIn(w io.Writer, baseURL string) {
	fmt.Fprintf(w, "Demo sign-in (My Account: %s/account/login)\n", baseURL)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range cases {
		pin := c.PIN
		if pin == "" {
			pin = "none: not registered"
		}
		fmt.Fprintf(tw, "  %s\tbarcode %s\tPIN %s\t(%s)\n", c.Shows, c.Barcode, pin, c.Note)
	}
	tw.Flush()
	fmt.Fprintf(w, "Demo staff desk (%s/staff/login)\n", baseURL)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range staffCases {
		fmt.Fprintf(tw, "  %s, %s\tusername %s\tpassword %s\t(%s)\n", c.Name, c.Role, c.Username, c.Password, c.Shows)
	}
	tw.Flush()
}
