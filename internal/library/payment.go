package library

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// PaymentMethod is how the money of a payment came in: the columns a till
// is counted by at the end of the day. A payment always has one; charges
// and waivers never do (a waiver is no money at all).
type PaymentMethod string

// The payment methods.
const (
	// PayCash is notes and coins, counted in the till.
	PayCash PaymentMethod = "cash"
	// PayCard is any card on the library's terminal (credit, debit,
	// Octopus): the terminal's slip and settlement report reconcile it.
	PayCard PaymentMethod = "card"
	// PayOnline is a payment through an online payment service, reconciled
	// with that service's statement.
	PayOnline PaymentMethod = "online"
	// PayUnrecorded is the method of a payment recorded before Carrel kept
	// methods (migration 0008): nothing says how it was paid. No new payment
	// has it.
	PayUnrecorded PaymentMethod = "unrecorded"
)

// PaymentMethods are the methods a payment may be made by, in the order the
// desk offers them and the cash-up counts them.
func PaymentMethods() []PaymentMethod { return []PaymentMethod{PayCash, PayCard, PayOnline} }

// ParsePaymentMethod reads "cash", "card" or "online"; anything else,
// nothing included, gives ErrMethodMissing.
func ParsePaymentMethod(s string) (PaymentMethod, error) {
	m := PaymentMethod(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(PaymentMethods(), m) {
		return "", ErrMethodMissing
	}
	return m, nil
}

// NeedsReceipt reports whether a payment by the method must carry the
// number of its slip or its online reference. Cash alone may leave it
// empty: Carrel then gives the payment a receipt number of its own.
func (m PaymentMethod) NeedsReceipt() bool { return m == PayCard || m == PayOnline }

// MaxReceiptLen is the longest receipt number, in characters: a till's or
// terminal's slip number, an online reference or a SIP2 transaction id.
const MaxReceiptLen = 64

// The errors of a payment's method and receipt number, each EINVALID, so
// that an entrance can say which field is wrong.
var (
	ErrMethodMissing   = &Error{Code: EINVALID, Message: "a payment needs its method: cash, card or online"}
	ErrReceiptMissing  = &Error{Code: EINVALID, Message: "a card or online payment needs the number of its slip or its online reference"}
	ErrReceiptBad      = &Error{Code: EINVALID, Message: fmt.Sprintf("a receipt number is one line of at most %d characters", MaxReceiptLen)}
	ErrReceiptReserved = &Error{Code: EINVALID, Message: "receipt numbers beginning like C20261204- are the ones Carrel gives cash payments"}
)

// issuedReceipt is the beginning of the receipt numbers Carrel gives cash
// payments that come without one: C, the day in the library's time zone,
// a dash and that day's sequence number, "C20261204-007". No number typed
// in or sent by a kiosk may begin so, in either case, so that the day's
// sequence never meets one.
var issuedReceipt = regexp.MustCompile(`^[Cc][0-9]{8}-`)

// NormalizeReceipt returns a receipt number as stored: trimmed. It gives
// ErrReceiptBad for more than MaxReceiptLen characters, a line break or
// another control character, and ErrReceiptReserved for a number that
// begins as the ones Carrel gives cash payments itself.
func NormalizeReceipt(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxReceiptLen || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", ErrReceiptBad
	}
	if issuedReceipt.MatchString(s) {
		return "", ErrReceiptReserved
	}
	return s, nil
}

// ReceiptTakenError refuses a payment whose receipt number was already
// recorded for the patron with another amount or method: the number
// belongs to the earlier payment, and nothing is recorded. (The same
// payment again is no error: see Paid.AlreadyRecorded.)
type ReceiptTakenError struct {
	Earlier FineEntry
}

// Error implements the error interface.
func (e *ReceiptTakenError) Error() string {
	return fmt.Sprintf("library: receipt %q was already recorded for the patron, for %s by %s", e.Earlier.Receipt, e.Earlier.Amount, e.Earlier.Method)
}

// Unwrap gives the error's code, ECONFLICT.
func (e *ReceiptTakenError) Unwrap() error {
	return &Error{Code: ECONFLICT, Message: "receipt number already recorded for the patron"}
}

// AsReceiptTaken returns the *ReceiptTakenError in err's chain.
func AsReceiptTaken(err error) (*ReceiptTakenError, bool) {
	var e *ReceiptTakenError
	ok := errors.As(err, &e)
	return e, ok
}

// payment is a payment to record in a patron's ledger, as an entrance
// asked for it, method and receipt checked.
type payment struct {
	amount  Money
	method  PaymentMethod
	receipt string // "" for cash: Carrel gives one
	note    string
	by      Actor
}

// checkPayment checks a payment's amount, method and receipt number and
// returns the receipt as stored.
func checkPayment(amount Money, method PaymentMethod, receipt string) (string, error) {
	if amount <= 0 {
		return "", Errorf(EINVALID, "a payment must be more than nothing")
	}
	if !slices.Contains(PaymentMethods(), method) {
		return "", ErrMethodMissing
	}
	receipt, err := NormalizeReceipt(receipt)
	if err != nil {
		return "", err
	}
	if receipt == "" && method.NeedsReceipt() {
		return "", ErrReceiptMissing
	}
	return receipt, nil
}

// recordPayment records pay for patron p inside tx, or finds it recorded
// already: a receipt number is recorded once per patron, so a payment
// whose receipt is in the patron's ledger records nothing. The same
// amount and method again is that payment (Paid.AlreadyRecorded, with the
// balance as it is now, whatever it is); another amount or method is a
// *ReceiptTakenError. Otherwise the payment must be at most the balance
// (ReasonOverpayment, with the balance). A cash payment without a receipt
// number gets the next of the day's (C20261204-001, ...).
//
// The look-up and the insert are in one transaction, so two requests with
// the same receipt at once record one payment: SQLite runs one writer at
// a time, and PostgreSQL's serializable transactions fail the second with
// a serialization failure, which the store runs again, and which then
// finds the first. The unique index of receipts by patron is the last
// guard: were both to get past the look-up, the second would fail.
func (s *Service) recordPayment(tx Tx, p Patron, pay payment) (Paid, error) {
	balance, err := tx.FineBalance(p.ID)
	if err != nil {
		return Paid{}, err
	}
	if pay.receipt != "" {
		earlier, err := tx.PaymentByReceipt(p.ID, pay.receipt)
		switch {
		case err == nil && earlier.Amount == pay.amount && earlier.Method == pay.method:
			return Paid{Entry: earlier, Balance: balance, AlreadyRecorded: true}, nil
		case err == nil:
			return Paid{}, &ReceiptTakenError{Earlier: earlier}
		case !IsCode(err, ENOTFOUND):
			return Paid{}, err
		}
	}
	if pay.amount > balance {
		return Paid{}, &Refusal{Reason: ReasonOverpayment, Balance: balance}
	}
	now := s.now()
	if pay.receipt == "" {
		if pay.receipt, err = s.issueReceipt(tx, now); err != nil {
			return Paid{}, err
		}
	}
	out := Paid{Balance: balance - pay.amount, Entry: FineEntry{PatronID: p.ID, Kind: FinePayment, Amount: pay.amount,
		Method: pay.method, Receipt: pay.receipt, TakenBy: pay.by.Name, Note: pay.note, CreatedAt: now}}
	if err := tx.AddFine(&out.Entry); err != nil {
		return Paid{}, err
	}
	detail := fmt.Sprintf("payment %s by %s, receipt %s, balance %s", pay.amount, pay.method, pay.receipt, out.Balance)
	if pay.note != "" {
		detail += ": " + pay.note
	}
	return out, s.auditBy(tx, pay.by, p.ID, "fine.payment", detail)
}

// issueReceipt gives a cash payment recorded at instant now the next
// receipt number of its day in the library's time zone. The day's last
// number is read in the payment's own transaction, which the database
// serialises with any other that issues one, so no two are the same.
func (s *Service) issueReceipt(tx Tx, now time.Time) (string, error) {
	loc := s.cfg.Location()
	day := DateOf(now, loc)
	prefix := "C" + day.Time(time.UTC).Format("20060102") + "-"
	last, err := tx.LastIssuedReceipt(prefix, day.Time(loc), day.AddDays(1).Time(loc))
	if err != nil {
		return "", err
	}
	n := 0
	if last != "" {
		if n, err = strconv.Atoi(strings.TrimPrefix(last, prefix)); err != nil {
			return "", fmt.Errorf("library: the day's last receipt number %q: %w", last, err)
		}
	}
	return fmt.Sprintf("%s%03d", prefix, n+1), nil
}
