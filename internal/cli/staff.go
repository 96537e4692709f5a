package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/carrel-library/carrel/internal/library"
)

const staffUsage = "add USERNAME --role admin|desk [--name NAME] | passwd USERNAME | disable USERNAME | enable USERNAME | reset-totp USERNAME | reset-totp --all | list  (passwords on standard input)"

// runStaff runs the staff account subcommands. Passwords are read from
// standard input, never from an argument, where they would show in the
// process list and the shell's history. The command line acts as an admin.
func runStaff(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("staff", staffUsage)
	role := fs.String("role", "", "the new account's role: admin or desk (staff add)")
	name := fs.String("name", "", "the new account's full name (staff add)")
	all := fs.Bool("all", false, "every account's two-factor codes, and the secret key they were sealed with (staff reset-totp --all: the way back from a lost key file)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return &usageError{"want a subcommand: " + staffUsage}
	}
	sub, rest := pos[0], pos[1:]
	if sub == "list" || sub == "reset-totp" && *all {
		if err := wantArgs(rest, 0, "no arguments"); err != nil {
			return err
		}
	} else if err := wantArgs(rest, 1, "one username"); err != nil {
		return err
	}
	switch sub {
	case "add", "passwd", "disable", "enable", "reset-totp", "list":
	default:
		return &usageError{fmt.Sprintf("unknown subcommand %q: want %s", sub, staffUsage)}
	}
	if *all && sub != "reset-totp" {
		return &usageError{"--all goes with reset-totp only"}
	}
	var r library.Role
	if sub == "add" {
		if r, err = library.ParseRole(*role); err != nil {
			return &usageError{"--role admin or --role desk is needed"}
		}
	}
	var password string
	if sub == "add" || sub == "passwd" {
		// Read before the database is opened, so that nothing waits on a
		// person typing.
		if password, err = readNewPassword(e, rest[0]); err != nil {
			return err
		}
	}
	svc, db, err := e.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	by := library.CommandLine
	switch sub {
	case "add":
		st, err := svc.AddStaff(ctx, by, library.NewStaff{Username: rest[0], Name: *name, Role: r}, password)
		if err != nil {
			return passwordError(err)
		}
		fmt.Fprintf(e.stdout, "staff account %s added (%s)\n", st.Username, st.Role)
	case "passwd":
		if err := svc.SetStaffPassword(ctx, by, rest[0], password); err != nil {
			return passwordError(err)
		}
		fmt.Fprintf(e.stdout, "password of %s changed; its sessions have ended\n", library.NormalizeUsername(rest[0]))
	case "disable":
		if err := svc.DisableStaff(ctx, by, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "staff account %s disabled; its sessions have ended\n", library.NormalizeUsername(rest[0]))
	case "enable":
		if err := svc.EnableStaff(ctx, by, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "staff account %s enabled\n", library.NormalizeUsername(rest[0]))
	case "reset-totp":
		if *all {
			n, err := svc.ResetAllTOTP(ctx, by)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "two-factor codes of %d staff accounts removed, and their sessions ended; "+
				"the next carrel serve seals with the key file it is given\n", n)
			return nil
		}
		if err := svc.ResetTOTP(ctx, by, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "two-factor codes of %s removed; its sessions have ended\n", library.NormalizeUsername(rest[0]))
	case "list":
		list, err := svc.ListStaff(ctx, by)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tTWO-FACTOR\tSTATUS\tNAME")
		for _, st := range list {
			status, twoFactor := "active", "no"
			if st.Disabled() {
				status = "disabled"
			}
			if st.HasTOTP() {
				twoFactor = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", st.Username, st.Role, twoFactor, status, st.Name)
		}
		return tw.Flush()
	}
	return nil
}

// readNewPassword reads a new password from standard input; on a terminal
// it asks twice, without echo, and the two must match.
func readNewPassword(e *env, username string) (string, error) {
	pw, err := readSecret(e, "New password for "+username+": ")
	if err != nil {
		return "", err
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		again, err := readSecret(e, "Type it again: ")
		if err != nil {
			return "", err
		}
		if again != pw {
			return "", errors.New("the two passwords differ: nothing was changed")
		}
	}
	return pw, nil
}

// passwordError says why the password policy refused a password, in the
// words of a staff password rather than a patron's PIN.
func passwordError(err error) error {
	var pe *library.PolicyError
	if !errors.As(err, &pe) {
		return err
	}
	why := strings.TrimPrefix(pe.Error(), "library: invalid: PIN refused: ")
	switch pe.Problem {
	case library.PINContainsBarcode:
		why = "it contains the username"
	case library.PINContainsName:
		why = "it contains the staff member's name"
	}
	return fmt.Errorf("password refused: %s; nothing was changed", why)
}
