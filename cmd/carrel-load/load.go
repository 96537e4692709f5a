package main

import (
	"context"
	"errors"
)

// runLoad is `carrel-load run`.
func runLoad(ctx context.Context, args []string) error {
	return errors.New("run: not built yet")
}

// floorCommand runs the floor's bare net/http server in a child process.
const floorCommand = "floor"

// runFloorServer is the floor's bare server.
func runFloorServer(ctx context.Context, args []string) error {
	return errors.New("floor: not built yet")
}
