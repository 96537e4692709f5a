package library

import (
	"context"
	"slices"
	"strings"
)

// LedgerLine is a payment or a waiver as the cash-up lists it: the ledger
// entry and the barcode of the patron it was for.
type LedgerLine struct {
	FineEntry
	PatronBarcode string
}

// MethodTotal is how many payments were made by one method, and their sum.
type MethodTotal struct {
	Method PaymentMethod
	Count  int
	Total  Money
}

// Takings is what one account, or all of them, took on a day: the
// payments by method (every method of PaymentMethods, in that order, and
// PayUnrecorded after them when a payment of it falls on the day), their
// total, and the waivers, which are no money and so are counted apart.
type Takings struct {
	// Account is the account as the audit log names it ("staff:dee",
	// "sip2:kiosk-1"); "" in the sum of every account.
	Account  string
	ByMethod []MethodTotal
	Count    int   // payments
	Total    Money // all payments, every method
	Cash     Money // the cash payments: what the till should hold beyond its float
	Waivers  int
	Waived   Money
}

// CashUp is the cash-up of a desk account, or of every account, for one
// day in the library's time zone: what a supervisor reconciles the till,
// the card terminal's settlement and the online statement with.
type CashUp struct {
	Day Date
	// Account is the account the cash-up is of, as the audit log names it;
	// "" for every account ("all desks").
	Account string
	// Takings sums the day's payments and waivers of the account (or of all).
	Takings Takings
	// Accounts is, for the cash-up of all desks, each account's own
	// takings, by account name; nil for one account's cash-up.
	Accounts []Takings
	// Payments are the payments, oldest first; Waivers the waivers.
	Payments []LedgerLine
	Waivers  []LedgerLine
}

// CashUpOf returns the cash-up of the account named account ("staff:dee",
// "sip2:kiosk-1"; "" for every account) for day, in the library's time
// zone (the zero Date is today): payments by method with their counts and
// totals, the cash that should be in the till, each payment, and the
// waivers apart, not counted as money taken. A desk account sees its own
// cash-up only (ErrForbidden otherwise); an admin sees anyone's and all
// desks'. The day's entries are read in one query.
func (s *Service) CashUpOf(ctx context.Context, by Actor, day Date, account string) (CashUp, error) {
	if err := by.staffOnly(); err != nil {
		return CashUp{}, err
	}
	account = strings.TrimSpace(account)
	if account != by.Name {
		if err := by.adminOnly(); err != nil {
			return CashUp{}, err
		}
	}
	loc := s.cfg.Location()
	if day.IsZero() {
		day = DateOf(s.now(), loc)
	}
	out := CashUp{Day: day, Account: account}
	err := s.store.View(ctx, func(tx Tx) error {
		lines, err := tx.TakenBetween(day.Time(loc), day.AddDays(1).Time(loc), account)
		if err != nil {
			return err
		}
		out.Payments, out.Waivers = nil, nil
		for _, l := range lines {
			if l.Kind == FinePayment {
				out.Payments = append(out.Payments, l)
			} else {
				out.Waivers = append(out.Waivers, l)
			}
		}
		return nil
	})
	if err != nil {
		return CashUp{}, err
	}
	out.Takings = takings(account, out.Payments, out.Waivers)
	if account == "" {
		out.Accounts = eachAccount(out.Payments, out.Waivers)
	}
	return out, nil
}

// takings sums payments and waivers as the takings of account.
func takings(account string, payments, waivers []LedgerLine) Takings {
	t := Takings{Account: account}
	for _, m := range PaymentMethods() {
		t.ByMethod = append(t.ByMethod, MethodTotal{Method: m})
	}
	for _, p := range payments {
		i := slices.IndexFunc(t.ByMethod, func(mt MethodTotal) bool { return mt.Method == p.Method })
		if i < 0 {
			t.ByMethod = append(t.ByMethod, MethodTotal{Method: p.Method})
			i = len(t.ByMethod) - 1
		}
		t.ByMethod[i].Count++
		t.ByMethod[i].Total += p.Amount
		t.Count++
		t.Total += p.Amount
		if p.Method == PayCash {
			t.Cash += p.Amount
		}
	}
	for _, w := range waivers {
		t.Waivers++
		t.Waived += w.Amount
	}
	return t
}

// eachAccount sums the takings of each account that took a payment or
// recorded a waiver, by account name.
func eachAccount(payments, waivers []LedgerLine) []Takings {
	var names []string
	for _, l := range slices.Concat(payments, waivers) {
		if !slices.Contains(names, l.TakenBy) {
			names = append(names, l.TakenBy)
		}
	}
	slices.Sort(names)
	out := make([]Takings, 0, len(names))
	for _, name := range names {
		mine := func(l LedgerLine) bool { return l.TakenBy != name }
		out = append(out, takings(name, slices.DeleteFunc(slices.Clone(payments), mine), slices.DeleteFunc(slices.Clone(waivers), mine)))
	}
	return out
}

// Receipt is a payment as its printed receipt shows it: the ledger entry
// and the patron it was for.
type Receipt struct {
	Entry  FineEntry
	Patron Patron
}

// PaymentReceipt returns the payment with the ledger id, and its patron,
// for its receipt to be printed or printed again. Any staff account may;
// a ledger entry that is not a payment is ENOTFOUND.
func (s *Service) PaymentReceipt(ctx context.Context, by Actor, id int64) (Receipt, error) {
	if err := by.staffOnly(); err != nil {
		return Receipt{}, err
	}
	var out Receipt
	err := s.store.View(ctx, func(tx Tx) error {
		e, err := tx.FineEntryByID(id)
		if err != nil {
			return err
		}
		if e.Kind != FinePayment {
			return Errorf(ENOTFOUND, "ledger entry %d is not a payment", id)
		}
		p, err := tx.PatronByID(e.PatronID)
		if err != nil {
			return err
		}
		out = Receipt{Entry: e, Patron: p}
		return nil
	})
	return out, err
}
