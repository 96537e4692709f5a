package library

import (
	"strings"
	"time"
	"unicode"
)

// Patron is a person the library knows: a student or a member of staff.
type Patron struct {
	ID       int64
	Barcode  string
	Category string
	Name     string
	Email    string
	// RegisteredOn is the day registration (students) or the application
	// (staff) was completed. Zero means the patron is only a card holder.
	RegisteredOn Date
	// ExpiresOn is the last day the account is valid; zero means no expiry.
	ExpiresOn Date
	// BlockedReason, when not empty, blocks borrowing and renewing. Staff see
	// the reason; the patron sees BlockNotice when it is to be shown, else
	// a neutral notice.
	BlockedReason string
	// BlockNotice is what the patron is told of the block, if anything.
	BlockNotice BlockNotice
	// PIN is what Carrel keeps of the patron's PIN. Never shown to anyone.
	PIN PINRecord
}

// Status is a patron's standing, derived from the record and the day.
type Status string

// The statuses a patron can have, in the order they are checked.
const (
	StatusCardHolder Status = "card_holder" // registration or application not completed
	StatusBlocked    Status = "blocked"
	StatusExpired    Status = "expired"
	StatusActive     Status = "active"
)

// Registered reports whether the patron completed registration or application.
func (p Patron) Registered() bool { return !p.RegisteredOn.IsZero() }

// Expired reports whether the account's expiry day has passed on day today.
func (p Patron) Expired(today Date) bool {
	return !p.ExpiresOn.IsZero() && today.After(p.ExpiresOn)
}

// Status returns the patron's standing on day today.
func (p Patron) Status(today Date) Status {
	switch {
	case !p.Registered():
		return StatusCardHolder
	case p.BlockedReason != "":
		return StatusBlocked
	case p.Expired(today):
		return StatusExpired
	default:
		return StatusActive
	}
}

// NormalizeBarcode turns what a person typed or a scanner sent into the
// stored form: surrounding and inner spaces and dashes dropped, letters
// upper-cased. Full-width digits and letters are folded to ASCII.
func NormalizeBarcode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ':
			r = 'A' + (r - 'Ａ')
		case r >= 'ａ' && r <= 'ｚ':
			r = 'A' + (r - 'ａ')
		}
		if unicode.IsSpace(r) || r == '-' || r == '‐' || r == '–' || r == '－' {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// PINKind says what kind of PIN a patron has now.
type PINKind string

// The kinds of PIN.
const (
	// PINNone: no PIN can be derived or was set; staff must reset it.
	PINNone PINKind = "none"
	// PINPreset: the preset of R3. With an empty Hash it is the barcode rule
	// (derived, nothing stored); with a Hash it is a legacy HKID preset,
	// stored only as the argon2id hash of its six characters.
	PINPreset PINKind = "preset"
	// PINTemporary: a one-time PIN set by staff, valid until ExpiresAt.
	PINTemporary PINKind = "temporary"
	// PINChosen: a PIN the patron chose.
	PINChosen PINKind = "chosen"
)

// PINRecord is what Carrel stores of a patron's PIN.
type PINRecord struct {
	Kind      PINKind
	Hash      string    // argon2id PHC string; empty for a barcode preset
	SetAt     time.Time // when the PIN was set or chosen
	ExpiresAt time.Time // for a temporary PIN
}

// MustChange reports whether the patron has to choose a new PIN before seeing anything else.
func (r PINRecord) MustChange() bool { return r.Kind != PINChosen }
