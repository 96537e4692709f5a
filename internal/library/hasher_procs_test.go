package library

import (
	"runtime"
	"testing"
)

// TestNewHasherHonoursGOMAXPROCS proves that NewHasher(0) runs as many
// hashes at once as the Go scheduler may use CPUs (GOMAXPROCS, which Go
// sets from a container's CPU limit), not as many as the host has: in a
// container limited to one CPU, two argon2id hashes at once would only
// queue behind each other while holding twice the memory.
func TestNewHasherHonoursGOMAXPROCS(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs a host with 2 CPUs or more to tell GOMAXPROCS from NumCPU")
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	if got := cap(NewHasher(0).sem); got != 1 {
		t.Errorf("with GOMAXPROCS 1 on %d CPUs, NewHasher(0) allows %d hashes at once, want 1", runtime.NumCPU(), got)
	}
	runtime.GOMAXPROCS(2)
	if got := cap(NewHasher(0).sem); got != 2 {
		t.Errorf("with GOMAXPROCS 2, NewHasher(0) allows %d hashes at once, want 2", got)
	}
}
