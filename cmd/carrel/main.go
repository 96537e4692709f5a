// Command carrel is the library patron-account system: My Account for
// patrons, the staff desk and the SIP2 service, in one binary.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/carrel-library/carrel/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
