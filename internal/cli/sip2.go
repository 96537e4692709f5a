package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/carrel-library/carrel/internal/library"
)

const sip2Usage = "add-account LOGIN --institution ID [--location CODE] [--no-login-required] [--require-pin | --no-require-pin] [--encoding utf-8|cp850|latin1]  (password on standard input) | set LOGIN [--require-pin | --no-require-pin] [--encoding utf-8|cp850|latin1] | list"

// sip2Flags are the flags each SIP2 subcommand takes, beside --db and --config.
var sip2Flags = map[string][]string{
	"add-account": {"institution", "location", "no-login-required", "require-pin", "no-require-pin", "encoding"},
	"set":         {"require-pin", "no-require-pin", "encoding"},
	"list":        nil,
}

// runSIP2 runs the SIP2 subcommands: add-account (the password read from
// standard input), set (change an account's policy) and list.
func runSIP2(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("sip2", sip2Usage)
	institution := fs.String("institution", "", "the SIP2 institution id (AO) of the machine")
	location := fs.String("location", "", "the machine's location code (CP), shown in the audit log")
	noLogin := fs.Bool("no-login-required", false, "let a legacy kiosk that never sends a Login (93) use this account, matched by its institution id")
	requirePIN := fs.Bool("require-pin", false, "Patron Information (63) and Renew All (65) need the patron's PIN (AD); the default for a new account")
	noRequirePIN := fs.Bool("no-require-pin", false, "trust the machine to have checked the card: Patron Information without a PIN shows the record (a gate or self-check that only scans cards)")
	encoding := fs.String("encoding", "", "the character set the machine speaks: utf-8 (the default for a new account), cp850 (SIP2's own default) or latin1")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return &usageError{"want a subcommand: " + sip2Usage}
	}
	sub, rest := pos[0], pos[1:]
	allowed, ok := sip2Flags[sub]
	if !ok {
		return &usageError{fmt.Sprintf("unknown subcommand %q: want %s", sub, sip2Usage)}
	}
	given := map[string]bool{}
	var misplaced error
	fs.Visit(func(f *flag.Flag) {
		given[f.Name] = true
		if f.Name != "db" && f.Name != "config" && !slices.Contains(allowed, f.Name) && misplaced == nil {
			misplaced = &usageError{fmt.Sprintf("sip2 %s does not take --%s", sub, f.Name)}
		}
	})
	if misplaced != nil {
		return misplaced
	}
	if given["require-pin"] && given["no-require-pin"] {
		return &usageError{"give --require-pin or --no-require-pin, not both"}
	}
	if sub == "list" {
		if err := wantArgs(rest, 0, "no arguments"); err != nil {
			return err
		}
		return listSIPAccounts(ctx, e)
	}
	if err := wantArgs(rest, 1, "one SIP2 login"); err != nil {
		return err
	}
	if sub == "set" {
		var ch library.SIPAccountChange
		switch {
		case given["require-pin"]:
			ch.RequirePIN = requirePIN
		case given["no-require-pin"]:
			v := !*noRequirePIN
			ch.RequirePIN = &v
		}
		if given["encoding"] {
			ch.Encoding = encoding
		}
		if ch.RequirePIN == nil && ch.Encoding == nil {
			return &usageError{"nothing to change: give --require-pin, --no-require-pin or --encoding"}
		}
		return setSIPAccount(ctx, e, rest[0], ch)
	}
	if *institution == "" {
		return &usageError{"--institution is required: the SIP2 institution id (AO) the machine sends"}
	}
	// Secure by default: a new account requires the PIN unless told not to.
	require := !given["no-require-pin"] || !*noRequirePIN
	if given["require-pin"] {
		require = *requirePIN
	}
	password, err := readSecret(e, "SIP2 password for "+rest[0]+": ")
	if err != nil {
		return err
	}
	svc, db, err := e.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := svc.AddSIPAccount(ctx, library.SIPAccount{Login: rest[0], Institution: *institution,
		Location: *location, LoginRequired: !*noLogin, RequirePIN: require, Encoding: *encoding}, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "SIP2 account %s added for institution %s", a.Login, a.Institution)
	if !a.LoginRequired {
		fmt.Fprint(e.stdout, " (no login required)")
	}
	fmt.Fprintf(e.stdout, ": %s\n", sip2Policy(a))
	return nil
}

// sip2Policy says in words what an account's machine may do.
func sip2Policy(a library.SIPAccount) string {
	pin := "PIN required for Patron Information"
	if !a.RequirePIN {
		pin = "Patron Information without a PIN"
	}
	return pin + ", encoding " + a.Encoding
}

// setSIPAccount changes an account's policy and says what it is now.
func setSIPAccount(ctx context.Context, e *env, login string, ch library.SIPAccountChange) error {
	svc, db, err := e.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := svc.ChangeSIPAccount(ctx, login, ch)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "SIP2 account %s: %s (connected machines follow within a minute)\n", a.Login, sip2Policy(a))
	return nil
}

// listSIPAccounts prints every SIP2 account and its policy; never a
// password hash.
func listSIPAccounts(ctx context.Context, e *env) error {
	svc, db, err := e.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	as, err := svc.SIPAccounts(ctx)
	if err != nil {
		return err
	}
	yesNo := map[bool]string{true: "yes", false: "no"}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tINSTITUTION\tLOCATION\tLOGIN REQUIRED\tREQUIRE PIN\tENCODING")
	for _, a := range as {
		loc := a.Location
		if loc == "" {
			loc = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Login, a.Institution, loc, yesNo[a.LoginRequired], yesNo[a.RequirePIN], a.Encoding)
	}
	return tw.Flush()
}

// readSecret reads one line from standard input: with a prompt and no
// echo on a terminal, as it is from a pipe. The line break is not part of it.
func readSecret(e *env, prompt string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input (give it as the first line)")
	}
	return line, nil
}
