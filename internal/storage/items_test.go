package storage_test

import (
	"testing"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

func TestItemRoundTrip(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		tests := []library.Item{
			{Barcode: "B0000001"},
			{Barcode: "B0000002", Title: "紅樓夢", Author: "曹雪芹", CallNumber: "PL2727 .S2 2005", Location: "Main Library 3/F"},
			{Barcode: "B0000003", Title: "Old copy", Withdrawn: true},
		}
		for _, want := range tests {
			it := want
			update(t, db, func(tx library.Tx) error { return tx.CreateItem(&it) })
			want.ID = it.ID
			view(t, db, func(tx library.Tx) error {
				got, err := tx.ItemByID(it.ID)
				if err != nil {
					return err
				}
				diff(t, "ItemByID", got, want)
				got, err = tx.ItemByBarcode(it.Barcode)
				diff(t, "ItemByBarcode", got, want)
				return err
			})

			want.Title, want.Location, want.Withdrawn = "Changed", "Store", !want.Withdrawn
			update(t, db, func(tx library.Tx) error { return tx.UpdateItem(want) })
			view(t, db, func(tx library.Tx) error {
				got, err := tx.ItemByID(it.ID)
				diff(t, "after UpdateItem", got, want)
				return err
			})
		}

		var got []string
		view(t, db, func(tx library.Tx) error {
			n, err := tx.CountItems()
			diff(t, "CountItems", n, 3)
			if err != nil {
				return err
			}
			return tx.EachItem(func(it library.Item) error {
				got = append(got, it.Barcode)
				return nil
			})
		})
		diff(t, "EachItem", got, []string{"B0000001", "B0000002", "B0000003"})
	})
}

func TestItemErrors(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		items := addItems(t, db, 2)
		tests := []struct {
			name string
			fn   func(library.Tx) error
			code string
		}{
			{"duplicate barcode", func(tx library.Tx) error { return tx.CreateItem(&library.Item{Barcode: items[0].Barcode}) }, library.ECONFLICT},
			{"empty barcode", func(tx library.Tx) error { return tx.CreateItem(&library.Item{}) }, library.EINVALID},
			{"unknown id", func(tx library.Tx) error { _, err := tx.ItemByID(999); return err }, library.ENOTFOUND},
			{"unknown barcode", func(tx library.Tx) error { _, err := tx.ItemByBarcode("nope"); return err }, library.ENOTFOUND},
			{"update unknown", func(tx library.Tx) error { return tx.UpdateItem(library.Item{ID: 999, Barcode: "Z"}) }, library.ENOTFOUND},
			{"update to a taken barcode", func(tx library.Tx) error {
				it := items[1]
				it.Barcode = items[0].Barcode
				return tx.UpdateItem(it)
			}, library.ECONFLICT},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.Update(t.Context(), tt.fn), tt.code)
			})
		}
	})
}
