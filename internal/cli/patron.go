package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/carrel-library/carrel/internal/library"
)

// runPatron runs the patron subcommands: `carrel patron unlock BARCODE`
// and `carrel patron reset-pin BARCODE`.
func runPatron(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("patron", "unlock BARCODE | reset-pin BARCODE")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return &usageError{"want a subcommand: unlock BARCODE or reset-pin BARCODE"}
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
	case "reset-pin":
		if err := wantArgs(pos[1:], 1, "one barcode"); err != nil {
			return err
		}
		return resetPIN(ctx, e, pos[1])
	default:
		return &usageError{fmt.Sprintf("unknown subcommand %q: want unlock BARCODE or reset-pin BARCODE", pos[0])}
	}
}

// resetPIN is `carrel patron reset-pin BARCODE`: the patron gets a random
// temporary PIN, printed once here for the staff member to pass on (R5).
func resetPIN(ctx context.Context, e *env, barcode string) error {
	svc, db, err := e.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := svc.PatronByBarcode(ctx, library.CommandLine, barcode)
	if library.IsCode(err, library.ENOTFOUND) {
		return errors.New("no patron has that barcode")
	}
	if err != nil {
		return err
	}
	tmp, err := svc.ResetPIN(ctx, library.CommandLine, p.ID, "")
	if r, ok := library.AsRefusal(err); ok && r.Reason == library.ReasonNotRegistered {
		return fmt.Errorf("patron %s is a card holder who has not registered: there is no PIN to reset", p.Barcode)
	}
	if err != nil {
		return err
	}
	until := tmp.ExpiresAt.In(svc.Config().Location()).Format("2006-01-02 15:04")
	fmt.Fprintf(e.stdout, "Temporary PIN for %s (%s): %s\n", p.Barcode, p.Name, tmp.PIN)
	fmt.Fprintf(e.stdout, "It works for one sign-in until %s, when the patron chooses a new PIN.\n", until)
	fmt.Fprintln(e.stdout, "The old PIN no longer works and the patron's sessions have ended.")
	return nil
}
