package storage_test

import (
	"context"
	"encoding/base64"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage/storagetest"
)

// storedPHC is the shape of every stored secret: an argon2id PHC string.
var storedPHC = regexp.MustCompile(`^\$argon2id\$v=19\$m=([0-9]+),t=([0-9]+),p=([0-9]+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`)

// TestStoredSecretsAreArgon2id reads, straight from the database file (and
// from PostgreSQL), every PIN and password hash Carrel stored through its
// real paths: patrons who signed in and chose PINs (two of them the same
// PIN), a PIN staff reset, staff passwords and a SIP2 machine's password.
// Each must be argon2id with at least OWASP's cost (m >= 19 MiB, t >= 2)
// and a salt of 16 bytes or more, and no two salts may be the same.
func TestStoredSecretsAreArgon2id(t *testing.T) {
	for _, k := range storagetest.Targets() {
		t.Run(k.Name, func(t *testing.T) {
			ctx := context.Background()
			target := k.Fresh(t)
			cfg := library.DefaultConfig()
			svc := library.NewService(&cfg, storagetest.Open(t, target), library.NewHasher(0))
			now := time.Date(2026, 11, 28, 10, 0, 0, 0, cfg.Location())
			svc.SetClock(func() time.Time { return now })

			pins := map[string]string{
				"24010001": "reading lamp by the window",
				"24010002": "reading lamp by the window", // the same PIN: the hashes must still differ
				"24010003": "north wing, third floor",
				"24010004": "quiet study carrel 12",
			}
			var ids []int64
			err := svc.Store().Update(ctx, func(tx library.Tx) error {
				for barcode := range pins {
					p := library.Patron{Barcode: barcode, Category: "student", Name: "Patron " + barcode,
						RegisteredOn: library.NewDate(2024, 9, 1), ExpiresOn: library.NewDate(2028, 8, 31),
						PIN: library.PINRecord{Kind: library.PINPreset}}
					if err := tx.CreatePatron(&p); err != nil {
						return err
					}
					ids = append(ids, p.ID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for barcode, pin := range pins {
				in, err := svc.SignIn(ctx, barcode, barcode, "10.0.0.1")
				if err != nil {
					t.Fatalf("sign in with the preset: %v", err)
				}
				if err := svc.ChangePIN(ctx, in.Session, barcode, pin, pin, ""); err != nil {
					t.Fatalf("change PIN: %v", err)
				}
				if _, err := svc.SignIn(ctx, barcode, pin, "10.0.0.1"); err != nil {
					t.Fatalf("sign in with the chosen PIN: %v", err)
				}
			}
			admin, err := svc.AddStaff(ctx, library.CommandLine, library.NewStaff{Username: "ada", Name: "Ada Lau", Role: library.RoleAdmin}, "granite-harbour-lantern-42")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddStaff(ctx, library.CommandLine, library.NewStaff{Username: "dee", Name: "Dee Chan", Role: library.RoleDesk}, "quiet-reading-room-lamp-7"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ResetPIN(ctx, admin.Actor("10.0.0.2"), ids[0], ""); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddSIPAccount(ctx, library.SIPAccount{Login: "kiosk1", Institution: "HKCT", LoginRequired: true}, "self-check-2026"); err != nil {
				t.Fatal(err)
			}

			raw := rawDB(t, target)
			var stored []string
			for _, q := range []string{
				`SELECT pin_hash FROM patrons WHERE pin_hash IS NOT NULL`,
				`SELECT password_hash FROM staff`,
				`SELECT password_hash FROM sip_accounts`,
			} {
				rows, err := raw.Query(q)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					stored = append(stored, s)
				}
				if err := rows.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if len(stored) != 7 {
				t.Fatalf("%d hashes stored, want 7 (4 patrons, 2 staff, 1 SIP2 machine)", len(stored))
			}
			salts := map[string]bool{}
			for _, s := range stored {
				m := storedPHC.FindStringSubmatch(s)
				if m == nil {
					t.Errorf("stored secret %.20q... is not an argon2id PHC string", s)
					continue
				}
				mem, _ := strconv.Atoi(m[1])
				passes, _ := strconv.Atoi(m[2])
				lanes, _ := strconv.Atoi(m[3])
				if mem < 19456 || passes < 2 || lanes < 1 {
					t.Errorf("argon2id cost m=%d KiB, t=%d, p=%d; want m >= 19456, t >= 2, p >= 1", mem, passes, lanes)
				}
				salt, err := base64.RawStdEncoding.DecodeString(m[4])
				if err != nil || len(salt) < 16 {
					t.Errorf("salt of %d bytes (%v), want 16 or more", len(salt), err)
				}
				key, err := base64.RawStdEncoding.DecodeString(m[5])
				if err != nil || len(key) < 32 {
					t.Errorf("key of %d bytes (%v), want 32", len(key), err)
				}
				if salts[string(salt)] {
					t.Errorf("a salt is used twice")
				}
				salts[string(salt)] = true
			}
		})
	}
}
