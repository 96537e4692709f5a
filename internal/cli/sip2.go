package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/carrel-library/carrel/internal/library"
)

// runSIP2 runs the SIP2 subcommands:
// `carrel sip2 add-account LOGIN --institution ID [--location CODE] [--no-login-required]`,
// the password read from standard input.
func runSIP2(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("sip2", "add-account LOGIN --institution ID [--location CODE] [--no-login-required]  (password on standard input)")
	institution := fs.String("institution", "", "the SIP2 institution id (AO) of the machine")
	location := fs.String("location", "", "the machine's location code (CP), shown in the audit log")
	noLogin := fs.Bool("no-login-required", false, "let a legacy kiosk that never sends a Login (93) use this account, matched by its institution id")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 || pos[0] != "add-account" {
		return &usageError{"want a subcommand: add-account LOGIN --institution ID"}
	}
	if err := wantArgs(pos[1:], 1, "one SIP2 login"); err != nil {
		return err
	}
	if *institution == "" {
		return &usageError{"--institution is required: the SIP2 institution id (AO) the machine sends"}
	}
	password, err := readSecret(e, "SIP2 password for "+pos[1]+": ")
	if err != nil {
		return err
	}
	svc, db, err := e.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := svc.AddSIPAccount(ctx, library.SIPAccount{Login: pos[1], Institution: *institution,
		Location: *location, LoginRequired: !*noLogin}, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "SIP2 account %s added for institution %s", a.Login, a.Institution)
	if !a.LoginRequired {
		fmt.Fprint(e.stdout, " (no login required)")
	}
	fmt.Fprintln(e.stdout)
	return nil
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
