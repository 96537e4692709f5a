package library

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"
)

// PatronQuery is a search for patrons at the desk.
type PatronQuery struct {
	// Text is a barcode (scanned or typed: it matches exactly, after
	// normalising) or part of a name or an email address (any case).
	Text string
	// Offset and Limit choose the page: Limit 0 means DefaultPageSize, and
	// it is at most MaxPageSize.
	Offset, Limit int
}

// MaxSearchLength is the longest text the desk's searches take, in
// characters, after trimming: longer than any barcode, name, email
// address, title or call number. A longer text is refused with
// ErrSearchTooLong before any query runs: SQLite refuses a LIKE pattern of
// more than 50,000 bytes outright, and a text of tens of thousands of
// characters made the full-text query thousands of pieces long.
const MaxSearchLength = 200

// ErrSearchTooLong refuses a desk search text longer than MaxSearchLength.
var ErrSearchTooLong = &Error{Code: EINVALID, Message: fmt.Sprintf("search text longer than %d characters", MaxSearchLength)}

// searchText trims a desk search's text and checks its length: empty
// gives EINVALID with the words of what, too long ErrSearchTooLong.
func searchText(text, what string) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return "", Errorf(EINVALID, "%s", what)
	case utf8.RuneCountInString(text) > MaxSearchLength:
		return "", ErrSearchTooLong
	}
	return text, nil
}

// Page sizes of the desk's searches.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// pageLimit returns the page size to use for a requested one.
func pageLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultPageSize
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}

// PatronPage is a page of a patron search.
type PatronPage struct {
	// Patrons match the query: an exact barcode match first, then by name.
	// Their PIN records hold no hash.
	Patrons []Patron
	// More is true when there are more matches after this page.
	More bool
	// Replaced is true when the text is the barcode of a replaced (lost)
	// card: it is refused everywhere, and finds no patron.
	Replaced bool
}

// FindPatrons searches patrons by barcode, name or email, a page at a time.
func (s *Service) FindPatrons(ctx context.Context, by Actor, q PatronQuery) (PatronPage, error) {
	if err := by.staffOnly(); err != nil {
		return PatronPage{}, err
	}
	var err error
	if q.Text, err = searchText(q.Text, "type a barcode, a name or an email address"); err != nil {
		return PatronPage{}, err
	}
	limit := pageLimit(q.Limit)
	q.Limit, q.Offset = limit+1, max(q.Offset, 0)
	var page PatronPage
	err = s.store.View(ctx, func(tx Tx) error {
		found, err := tx.SearchPatrons(q)
		if err != nil {
			return err
		}
		if len(found) > limit {
			found, page.More = found[:limit], true
		}
		for i := range found {
			found[i] = found[i].forDesk()
		}
		page.Patrons = found
		if len(found) == 0 {
			page.Replaced, err = tx.BarcodeRetired(NormalizeBarcode(q.Text))
		}
		return err
	})
	return page, err
}

// forDesk returns p as staff may see it: without the hash of its PIN.
func (p Patron) forDesk() Patron {
	p.PIN.Hash = ""
	return p
}

// PatronByBarcode returns the patron with the given barcode as staff may
// see it (no PIN hash); ENOTFOUND for an unknown barcode or the barcode of
// a replaced card.
func (s *Service) PatronByBarcode(ctx context.Context, by Actor, barcode string) (Patron, error) {
	if err := by.staffOnly(); err != nil {
		return Patron{}, err
	}
	var p Patron
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = tx.PatronByBarcode(NormalizeBarcode(barcode))
		return err
	})
	return p.forDesk(), err
}

// FormerBarcode is the barcode of a patron's replaced card.
type FormerBarcode struct {
	Barcode    string
	ReplacedAt time.Time
}

// PatronFile is everything the desk's patron page shows.
type PatronFile struct {
	// Record is the borrowing record: status, category, dates, loans,
	// fine balance and holds. Its Patron has no PIN hash.
	Record Record
	// Fines is the fine ledger, oldest first: charges, payments, waivers.
	Fines []FineEntry
	// Audit is the patron's audit trail, newest first (the latest 100).
	Audit []AuditEntry
	// FormerBarcodes are the barcodes of replaced cards, oldest first.
	FormerBarcodes []FormerBarcode
	// LockedUntil is when the pause on sign-in with the barcode ends; zero
	// when sign-in is not paused (Unlock ends it at once).
	LockedUntil time.Time
}

// patronAuditShown is how many audit entries the patron page shows.
const patronAuditShown = 100

// PatronFile returns the desk's view of the patron with the given ID, with
// every current loan.
func (s *Service) PatronFile(ctx context.Context, by Actor, patronID int64) (PatronFile, error) {
	return s.PatronFilePage(ctx, by, patronID, LoanPage{})
}

// PatronFilePage is PatronFile with one page of the current loans, as
// BorrowingRecordPage gives it.
func (s *Service) PatronFilePage(ctx context.Context, by Actor, patronID int64, page LoanPage) (PatronFile, error) {
	if err := by.staffOnly(); err != nil {
		return PatronFile{}, err
	}
	var f PatronFile
	err := s.store.View(ctx, func(tx Tx) error {
		f = PatronFile{}
		now := s.now()
		p, err := tx.PatronByID(patronID)
		if err != nil {
			return err
		}
		if f.Record, err = s.loadRecord(tx, p.forDesk(), now, page); err != nil {
			return err
		}
		if f.Fines, err = tx.FineEntries(p.ID); err != nil {
			return err
		}
		if f.Audit, err = tx.PatronAudit(p.ID, patronAuditShown); err != nil {
			return err
		}
		if f.FormerBarcodes, err = tx.FormerBarcodes(p.ID); err != nil {
			return err
		}
		f.LockedUntil, err = tx.LockedUntil(barcodeKey(p.Barcode), now)
		return err
	})
	return f, err
}

// changePatron runs change on the patron with the given ID in one
// transaction and saves it, unless change reports nothing to do. It
// returns the patron as stored.
func (s *Service) changePatron(ctx context.Context, patronID int64, change func(tx Tx, p *Patron) (bool, error)) (Patron, error) {
	var p Patron
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if p, err = tx.PatronByID(patronID); err != nil {
			return err
		}
		changed, err := change(tx, &p)
		if err != nil || !changed {
			return err
		}
		return tx.UpdatePatron(p)
	})
	return p.forDesk(), err
}

// UnlockPatron ends the sign-in pause on the patron's barcode at once and
// forgets its failures, without changing the PIN.
func (s *Service) UnlockPatron(ctx context.Context, by Actor, patronID int64) error {
	if err := by.staffOnly(); err != nil {
		return err
	}
	_, err := s.changePatron(ctx, patronID, func(tx Tx, p *Patron) (bool, error) {
		if err := tx.Unlock(barcodeKey(p.Barcode)); err != nil {
			return false, err
		}
		return false, s.auditBy(tx, by, p.ID, "signin.unlock", "")
	})
	return err
}

// BlockPatron blocks the patron from borrowing, renewing and placing holds,
// with a reason staff see (the patron sees a neutral notice). Blocking a
// blocked patron replaces the reason.
func (s *Service) BlockPatron(ctx context.Context, by Actor, patronID int64, reason string) (Patron, error) {
	return s.BlockPatronWith(ctx, by, patronID, Block{Reason: reason})
}

// BlockPatronWith blocks the patron from borrowing, renewing and placing
// holds, with a reason staff see and a notice for the patron: a
// configured reason or staff's own words, shown to the patron or not.
// Blocking a blocked patron replaces both.
func (s *Service) BlockPatronWith(ctx context.Context, by Actor, patronID int64, b Block) (Patron, error) {
	if err := by.staffOnly(); err != nil {
		return Patron{}, err
	}
	b, err := s.cfg.checkBlock(b)
	if err != nil {
		return Patron{}, err
	}
	return s.changePatron(ctx, patronID, func(tx Tx, p *Patron) (bool, error) {
		if p.BlockedReason == b.Reason && p.BlockNotice == b.Notice {
			return false, nil
		}
		p.BlockedReason, p.BlockNotice = b.Reason, b.Notice
		return true, s.auditBy(tx, by, p.ID, "patron.block", b.Reason+noticeDetail(b.Notice))
	})
}

// noticeDetail says in the audit log what the patron is told of a block.
func noticeDetail(n BlockNotice) string {
	switch {
	case n.IsZero():
		return ""
	case !n.Shown && n.Reason != "":
		return "; message " + n.Reason + ", not shown to the patron"
	case !n.Shown:
		return "; own message, not shown to the patron"
	case n.Reason != "":
		return "; patron told: " + n.Reason
	}
	return "; patron told: own message"
}

// UnblockPatron lifts a block. Unblocking a patron who is not blocked does
// nothing.
func (s *Service) UnblockPatron(ctx context.Context, by Actor, patronID int64) (Patron, error) {
	if err := by.staffOnly(); err != nil {
		return Patron{}, err
	}
	return s.changePatron(ctx, patronID, func(tx Tx, p *Patron) (bool, error) {
		if p.BlockedReason == "" {
			return false, nil
		}
		was := p.BlockedReason
		p.BlockedReason, p.BlockNotice = "", BlockNotice{}
		return true, s.auditBy(tx, by, p.ID, "patron.unblock", "was: "+was)
	})
}

// SetPatronExpiry changes the last day the patron's account is valid (the
// zero Date: no expiry).
func (s *Service) SetPatronExpiry(ctx context.Context, by Actor, patronID int64, expires Date) (Patron, error) {
	if err := by.staffOnly(); err != nil {
		return Patron{}, err
	}
	return s.changePatron(ctx, patronID, func(tx Tx, p *Patron) (bool, error) {
		if p.ExpiresOn == expires {
			return false, nil
		}
		old := p.ExpiresOn
		p.ExpiresOn = expires
		return true, s.auditBy(tx, by, p.ID, "patron.expiry", fmt.Sprintf("from %s to %s", dateOrNone(old), dateOrNone(expires)))
	})
}

func dateOrNone(d Date) string {
	if d.IsZero() {
		return "none"
	}
	return d.String()
}

// PatronEdit is what staff may edit of a patron's details.
type PatronEdit struct {
	Name     string
	Email    string
	Category string
}

// EditPatron changes the patron's name, email and category. The category
// must be configured and the patron's barcode must fit its pattern.
func (s *Service) EditPatron(ctx context.Context, by Actor, patronID int64, e PatronEdit) (Patron, error) {
	if err := by.staffOnly(); err != nil {
		return Patron{}, err
	}
	e.Name, e.Email, e.Category = strings.TrimSpace(e.Name), strings.TrimSpace(e.Email), strings.TrimSpace(e.Category)
	cat, ok := s.cfg.Category(e.Category)
	switch {
	case e.Name == "":
		return Patron{}, Errorf(EINVALID, "a patron needs a name")
	case strings.ContainsAny(e.Name+e.Email, "\r\n"):
		return Patron{}, Errorf(EINVALID, "a name or email address must be on one line")
	case e.Email != "" && (!strings.Contains(e.Email, "@") || strings.ContainsAny(e.Email, " \t")):
		return Patron{}, Errorf(EINVALID, "%q is not an email address", e.Email)
	case !ok:
		return Patron{}, Errorf(EINVALID, "no patron category %q", e.Category)
	}
	return s.changePatron(ctx, patronID, func(tx Tx, p *Patron) (bool, error) {
		if !cat.ValidBarcode(p.Barcode) {
			return false, Errorf(EINVALID, "the patron's barcode does not fit the %s category (%s)", e.Category, cat.BarcodeHint)
		}
		var changed []string
		if p.Name != e.Name {
			changed = append(changed, "name")
		}
		if p.Email != e.Email {
			changed = append(changed, "email")
		}
		if p.Category != e.Category {
			changed = append(changed, "category "+p.Category+" to "+e.Category)
		}
		if len(changed) == 0 {
			return false, nil
		}
		p.Name, p.Email, p.Category = e.Name, e.Email, e.Category
		return true, s.auditBy(tx, by, p.ID, "patron.edit", strings.Join(changed, ", "))
	})
}

// Registration is the outcome of completing a card holder's registration.
type Registration struct {
	Patron Patron // as stored, without a PIN hash
	// InitialPIN is the random first PIN, when the rule for the day gave
	// one: show it once, on a slip for the patron, and nowhere else. It is
	// single use and must be changed at the first sign-in. Empty when the
	// patron's first PIN is the preset of R3 (their barcode).
	InitialPIN string
	// PINExpiresAt is when an InitialPIN stops working.
	PINExpiresAt time.Time
}

// RegisterPatron completes the registration (students) or application
// (staff) of a card holder, with the category's default expiry date: see
// RegisterPatronUntil.
func (s *Service) RegisterPatron(ctx context.Context, by Actor, patronID int64) (Registration, error) {
	return s.RegisterPatronUntil(ctx, by, patronID, Date{})
}

// RegisterPatronUntil completes the registration (students) or application
// (staff) of a card holder: the registration day is today, the account is
// valid until expires (the zero Date: the category's default, see
// Config.DefaultExpiry; a day before today is EINVALID), and the preset
// rule for today gives the first PIN (R3): the barcode, or with the rule
// "random" (and the HKID rule, since Carrel keeps no HKID number) a random
// PIN returned once in the Registration. A patron already registered gives
// ECONFLICT, so a registration submitted twice acts once.
func (s *Service) RegisterPatronUntil(ctx context.Context, by Actor, patronID int64, expires Date) (Registration, error) {
	if err := by.staffOnly(); err != nil {
		return Registration{}, err
	}
	now := s.now()
	today := s.cfg.Today(now)
	if !expires.IsZero() && expires.Before(today) {
		return Registration{}, Errorf(EINVALID, "the expiry date %s is before today", expires)
	}
	var out Registration
	var pin PINRecord
	switch s.cfg.PresetRuleFor(today) {
	case PresetBarcode:
		pin = PINRecord{Kind: PINPreset, SetAt: now}
	default:
		// The random rule; or no rule, or the HKID rule, neither of which
		// the desk can follow.
		out.InitialPIN = RandomPIN()
		hash, err := s.hasher.Hash(ctx, out.InitialPIN)
		if err != nil {
			return Registration{}, err
		}
		out.PINExpiresAt = now.Add(s.cfg.TemporaryPINValid.D())
		pin = PINRecord{Kind: PINTemporary, Hash: hash, SetAt: now, ExpiresAt: out.PINExpiresAt}
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		p, err := tx.PatronByID(patronID)
		if err != nil {
			return err
		}
		if p.Registered() {
			return Errorf(ECONFLICT, "the patron is already registered")
		}
		p.RegisteredOn = today
		p.ExpiresOn = expires
		if p.ExpiresOn.IsZero() {
			p.ExpiresOn = s.cfg.DefaultExpiry(p.Category, today)
		}
		if err := tx.UpdatePatron(p); err != nil {
			return err
		}
		if err := tx.SetPIN(p.ID, pin); err != nil {
			return err
		}
		p.PIN = pin
		out.Patron = p.forDesk()
		detail := "registered " + today.String() + ", valid until " + dateOrNone(p.ExpiresOn) + "; first PIN: the barcode preset"
		if out.InitialPIN != "" {
			detail = "registered " + today.String() + ", valid until " + dateOrNone(p.ExpiresOn) + "; first PIN: random, single use, shown once to staff"
		}
		return s.auditBy(tx, by, p.ID, "patron.register", detail)
	})
	if err != nil {
		return Registration{}, err
	}
	return out, nil
}

// TemporaryPIN is a PIN staff gave out: shown once to the staff member,
// to pass on to the patron, and never stored or logged.
type TemporaryPIN struct {
	Patron    Patron // as stored, without a PIN hash
	PIN       string
	ExpiresAt time.Time
}

// ResetPIN gives a registered patron who forgot their PIN a random
// temporary one (R5): valid for TemporaryPINValid (default 7 days), single
// use (the patron chooses a new PIN at that sign-in). The old PIN stops
// working at once, every session of the patron ends, and any pause on
// sign-in is lifted. A card holder gives ReasonNotRegistered. A non-empty
// requestToken makes it act once (ErrAlreadyDone the second time), so a
// form submitted twice never leaves a PIN different from the one shown.
func (s *Service) ResetPIN(ctx context.Context, by Actor, patronID int64, requestToken string) (TemporaryPIN, error) {
	if err := by.staffOnly(); err != nil {
		return TemporaryPIN{}, err
	}
	now := s.now()
	out := TemporaryPIN{PIN: RandomPIN(), ExpiresAt: now.Add(s.cfg.TemporaryPINValid.D())}
	hash, err := s.hasher.Hash(ctx, out.PIN)
	if err != nil {
		return TemporaryPIN{}, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := s.claimRequest(tx, requestToken, "pin.reset", by); err != nil {
			return err
		}
		p, err := tx.PatronByID(patronID)
		if err != nil {
			return err
		}
		if !p.Registered() {
			return &Refusal{Reason: ReasonNotRegistered}
		}
		p.PIN = PINRecord{Kind: PINTemporary, Hash: hash, SetAt: now, ExpiresAt: out.ExpiresAt}
		if err := tx.SetPIN(p.ID, p.PIN); err != nil {
			return err
		}
		if err := tx.DeletePatronSessions(p.ID, 0); err != nil {
			return err
		}
		if err := tx.Unlock(barcodeKey(p.Barcode)); err != nil {
			return err
		}
		out.Patron = p.forDesk()
		return s.auditBy(tx, by, p.ID, "pin.reset",
			"temporary PIN, single use, valid until "+out.ExpiresAt.In(s.cfg.Location()).Format("2006-01-02 15:04"))
	})
	if err != nil {
		return TemporaryPIN{}, err
	}
	return out, nil
}

// pinAlphabet has no characters that look alike on a slip or a screen: no
// 0/O, 1/I/L, 5/S, 2/Z, 8/B. PINs from it are typed in either case.
const pinAlphabet = "34679ACDEFGHJKMNPQRTUVWXY"

// RandomPINLength is the length of the PINs staff give out.
const RandomPINLength = 10

// RandomPIN returns a random PIN of RandomPINLength characters from an
// alphabet without look-alikes (about 46 bits).
func RandomPIN() string {
	b := make([]byte, RandomPINLength)
	n := big.NewInt(int64(len(pinAlphabet)))
	for i := range b {
		k, err := rand.Int(rand.Reader, n)
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = pinAlphabet[k.Int64()]
	}
	return string(b)
}
