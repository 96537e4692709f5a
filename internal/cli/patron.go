package cli

import (
	"context"
	"fmt"
)

// runPatron runs the patron subcommands: `carrel patron unlock BARCODE`.
func runPatron(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("patron", "unlock BARCODE")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return &usageError{"want a subcommand: unlock BARCODE"}
	}
	switch pos[0] {
	case "unlock":
		if err := wantArgs(pos[1:], 1, "one barcode"); err != nil {
			return err
		}
		svc, db, err := e.open(ctx, false)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := svc.Unlock(ctx, pos[1], "cli"); err != nil {
			return err
		}
		// The same answer whether or not the barcode is a patron's.
		fmt.Fprintln(e.stdout, "sign-in is no longer paused for that barcode (if it was)")
		return nil
	default:
		return &usageError{fmt.Sprintf("unknown subcommand %q: want unlock BARCODE", pos[0])}
	}
}
