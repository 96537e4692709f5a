// Package cli is the carrel command: it parses a subcommand and its flags,
// builds the components it needs and runs them.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// command is one subcommand of carrel.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web service (and --demo: a demo library)", runServe},
		{"migrate", "bring the database schema up to date", runMigrate},
		{"import", "import patrons, items or loans from a CSV file", runImport},
		{"export", "export patrons, items or open loans to a CSV file that import reads back", runExport},
		{"demo", "fill an empty database with the demo library, or a generated one of any size (--size large)", runDemo},
		{"db", "copy a library to another database (db copy), back up a SQLite one (db backup)", runDB},
		{"patron", "patron tasks: unlock BARCODE (end a sign-in pause), reset-pin BARCODE (a temporary PIN)", runPatron},
		{"sip2", "SIP2 machines: add-account LOGIN --institution ID (password on stdin), set LOGIN (PIN policy, encoding), list", runSIP2},
		{"staff", "staff accounts: add USERNAME --role admin|desk, passwd, disable, enable, reset-totp, list", runStaff},
		{"version", "print Carrel's version", runVersion},
	}
}

// Version is Carrel's version, set at build time with -ldflags.
var Version = "dev"

// env is what every command shares: the standard streams and the flags
// that every command takes.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	db             string
	configPath     string
}

// usageError is an error in how carrel was called; Main prints usage with it.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// Main runs carrel with args (without the program name) and returns the exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	i := slices.IndexFunc(commands(), func(c command) bool { return c.name == args[0] })
	if i < 0 {
		fmt.Fprintf(stderr, "carrel: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := commands()[i].run(ctx, e, args[1:])
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "carrel %s: %s\n", args[0], ue.msg)
		return 2
	default:
		fmt.Fprintf(stderr, "carrel %s: %s\n", args[0], err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Carrel: the library patron-account system.")
	fmt.Fprintln(w, "\nUsage: carrel COMMAND [flags] [arguments]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --db (a SQLite file, default carrel.db, or a postgres:// URL) and --config (a JSON file).")
	fmt.Fprintln(w, "Run 'carrel COMMAND -h' for a command's flags.")
}

// flagSet returns a FlagSet for a command with the shared flags bound to e.
func (e *env) flagSet(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet("carrel "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.db, "db", "carrel.db", "the database: a SQLite file path, or a postgres:// URL")
	fs.StringVar(&e.configPath, "config", "", "a JSON configuration file (see README); defaults apply without one")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: carrel %s [flags] %s\n\nFlags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args with fs, allowing flags before and after the positional
// arguments, and returns the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(pos []string, n int, what string) error {
	if len(pos) != n {
		return &usageError{fmt.Sprintf("want %s, got %q", what, strings.Join(pos, " "))}
	}
	return nil
}

func runVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintln(e.stdout, "carrel", Version)
	return nil
}
