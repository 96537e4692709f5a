package library

import "context"

// This file holds the PIN API's signatures until pin.go, hasher.go, hkid.go
// and pinpolicy.go replace it.

// Hasher hashes and verifies PINs with argon2id, at most N at a time.
type Hasher struct{}

// NewHasher returns a Hasher that runs at most maxConcurrent hashes at once
// (0 means the number of CPUs).
func NewHasher(maxConcurrent int) *Hasher { return &Hasher{} }

// Hash returns the argon2id PHC string of the NFKC-normalised pin.
func (h *Hasher) Hash(ctx context.Context, pin string) (string, error) { panic("todo") }

// Verify reports whether pin matches the PHC string.
func (h *Hasher) Verify(ctx context.Context, phc, pin string) (bool, error) { panic("todo") }

// VerifyDummy does the work of one Verify and reports false.
func (h *Hasher) VerifyDummy(ctx context.Context, pin string) error { panic("todo") }

// NormalizePIN returns pin in Unicode NFKC.
func NormalizePIN(pin string) string { panic("todo") }

// PINProblem names why a PIN was refused by the policy.
type PINProblem string

// PolicyError is returned by PINPolicy.Check.
type PolicyError struct{ Problem PINProblem }

func (e *PolicyError) Error() string { return string(e.Problem) }

// Check reports whether pin may be chosen.
func (p PINPolicy) Check(pin, barcode, preset, name string) error { panic("todo") }

// HKIDPreset returns the six-character preset derived from an HKID number.
func HKIDPreset(hkid string) (string, error) { panic("todo") }
