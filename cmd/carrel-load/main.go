// Command carrel-load measures Carrel near the limits of the machine: it
// starts a real `carrel serve` over loopback, drives it with many clients
// and prints, beside each scenario's throughput and latency, the floor that
// the hardware and Carrel's dependencies set, measured in the same run.
//
//	carrel-load run    the scenarios and their floors (see BENCHMARKS.md)
//	carrel-load scale  the borrowing record's latency as the library grows
//
// The tool holds Carrel itself (`carrel-load carrel ARGS` is `carrel ARGS`),
// so `go run ./cmd/carrel-load run` needs nothing built beforehand.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/carrel-library/carrel/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

const usage = `usage: carrel-load run [flags]     scenarios against their floors
       carrel-load scale [flags]   the borrowing record as the library grows
Give -h after the command for its flags.`

// run dispatches to a command and returns the process's exit code.
func run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "run":
		err = runLoad(ctx, args[1:])
	case "scale":
		err = runScale(ctx, args[1:])
	case carrelCommand:
		return cli.Main(ctx, args[1:], os.Stdin, os.Stdout, os.Stderr)
	case floorCommand:
		err = runFloorServer(ctx, args[1:])
	default:
		fmt.Fprintln(os.Stderr, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintln(os.Stderr, "carrel-load:", err)
		return 1
	}
}
