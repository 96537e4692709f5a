package main

import (
	"context"
	"errors"
)

// runScale is `carrel-load scale`.
func runScale(ctx context.Context, args []string) error {
	return errors.New("scale: not built yet")
}
