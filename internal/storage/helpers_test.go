package storage_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
)

// update runs fn in an Update and fails the test on error.
func update(t *testing.T, db *storage.DB, fn func(library.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a View and fails the test on error.
func view(t *testing.T, db *storage.DB, fn func(library.Tx) error) {
	t.Helper()
	if err := db.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantCode fails the test unless err carries the domain error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := library.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err %v), want %q", got, err, code)
	}
}

// diff fails the test when got and want differ.
func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s mismatch:\n got  %+v\n want %+v", what, got, want)
	}
}

// at returns an instant on 2025-03-d at h:m UTC, at microsecond precision
// like everything the store gives back.
func at(d, h, m int) time.Time {
	return time.Date(2025, time.March, d, h, m, 0, 123456000, time.UTC)
}

// mustDate parses a YYYY-MM-DD date.
func mustDate(t *testing.T, s string) library.Date {
	t.Helper()
	d, err := library.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// addPatron stores a registered patron with a barcode preset PIN.
func addPatron(t *testing.T, db *storage.DB, barcode string) library.Patron {
	t.Helper()
	p := library.Patron{Barcode: barcode, Category: "student", Name: "Patron " + barcode,
		RegisteredOn: library.NewDate(2024, 9, 1), PIN: library.PINRecord{Kind: library.PINPreset}}
	update(t, db, func(tx library.Tx) error { return tx.CreatePatron(&p) })
	return p
}

// addItems stores n items with barcodes I0001, I0002...
func addItems(t *testing.T, db *storage.DB, n int) []library.Item {
	t.Helper()
	items := make([]library.Item, n)
	update(t, db, func(tx library.Tx) error {
		for i := range items {
			items[i] = library.Item{Barcode: fmt.Sprintf("I%04d", i+1), Title: fmt.Sprintf("Title %d", i+1)}
			if err := tx.CreateItem(&items[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return items
}
