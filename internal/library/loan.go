package library

import "time"

// Item is one physical copy, with its own barcode.
type Item struct {
	ID         int64
	Barcode    string
	Title      string
	Author     string
	CallNumber string
	Location   string
	// Withdrawn items are kept for history but cannot be lent.
	Withdrawn bool
}

// Loan is an item checked out to a patron.
type Loan struct {
	ID           int64
	PatronID     int64
	Item         Item
	CheckedOutAt time.Time
	DueAt        time.Time
	Renewals     int
	ReturnedAt   time.Time // zero while the loan is open
}

// Open reports whether the item is still out.
func (l Loan) Open() bool { return l.ReturnedAt.IsZero() }

// FineKind is the kind of an entry in a patron's fine ledger.
type FineKind string

// Fine ledger entry kinds. The balance is charges minus payments and waivers.
const (
	FineCharge  FineKind = "charge"
	FinePayment FineKind = "payment"
	FineWaiver  FineKind = "waiver"
)

// FineEntry is one line of a patron's fine ledger.
type FineEntry struct {
	ID       int64
	PatronID int64
	LoanID   int64 // 0 when not tied to a loan
	Kind     FineKind
	Amount   Money // always positive
	// Method is how a payment was paid; empty for charges and waivers.
	Method PaymentMethod
	// Receipt is a payment's receipt number: the till's or terminal's slip
	// number, the online reference, the SIP2 transaction id (BK), or the
	// one Carrel gave a cash payment without one. Empty for charges and
	// waivers. A patron's ledger holds each receipt number once.
	Receipt string
	// TakenBy is who recorded a payment or a waiver, as the audit log
	// names actors ("staff:dee", "sip2:kiosk-1"): the cash-up counts each
	// account's takings by it. Empty for charges.
	TakenBy   string
	Note      string
	CreatedAt time.Time
}
