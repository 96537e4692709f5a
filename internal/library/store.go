package library

import (
	"context"
	"fmt"
	"time"
)

// Store is where Carrel keeps its data. Every change that takes more than one
// step runs inside one Update, so a crash leaves the old state or the new.
type Store interface {
	// Update runs fn in one read-write transaction, committing when fn
	// returns nil and rolling back otherwise. Writers are serialised where the
	// database needs it, so rules that count rows hold under concurrency; a
	// transaction that loses a conflict may be run again, so fn must start
	// from scratch each time it runs (reset whatever it writes outside).
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
}

// BatchError is the error of a write of many rows that one of them broke:
// Index is that row's place in the batch, Err what writing it alone gives.
type BatchError struct {
	Index int
	Err   error
}

// Error implements the error interface.
func (e *BatchError) Error() string { return fmt.Sprintf("row %d of the batch: %v", e.Index+1, e.Err) }

// Unwrap gives the row's own error, so that its code passes through.
func (e *BatchError) Unwrap() error { return e.Err }

// Tx is one transaction on the Store. Methods that look up one thing return
// an error with code ENOTFOUND when it does not exist; methods that would
// break a uniqueness rule return ECONFLICT.
type Tx interface {
	PatronByID(id int64) (Patron, error)
	PatronByBarcode(barcode string) (Patron, error)
	// CreatePatron stores a new patron, PIN included, and sets p.ID.
	CreatePatron(p *Patron) error
	// CreatePatrons stores new patrons as CreatePatron would, in order, and
	// sets each one's ID; where the database allows, it writes many in one
	// statement. When one is refused, the error is a *BatchError naming it,
	// and the transaction must not be committed.
	CreatePatrons(ps []*Patron) error
	// UpdatePatron saves every field of p except the PIN.
	UpdatePatron(p Patron) error
	// SetPIN replaces what is stored of the patron's PIN.
	SetPIN(patronID int64, pin PINRecord) error
	// EachPatron calls fn for every patron in barcode order.
	EachPatron(fn func(Patron) error) error
	CountPatrons() (int, error)

	ItemByID(id int64) (Item, error)
	ItemByBarcode(barcode string) (Item, error)
	// CreateItem stores a new item and sets it.ID.
	CreateItem(it *Item) error
	// UpdateItem saves every field of it.
	UpdateItem(it Item) error
	// EachItem calls fn for every item in barcode order.
	EachItem(fn func(Item) error) error
	CountItems() (int, error)

	// OpenLoans returns the patron's current loans with their items, ordered
	// by due time, then loan ID.
	OpenLoans(patronID int64) ([]Loan, error)
	// OpenLoanForItem returns the item's current loan.
	OpenLoanForItem(itemID int64) (Loan, error)
	// CreateLoan stores a new open loan and sets l.ID; ECONFLICT when the item
	// is already on loan.
	CreateLoan(l *Loan) error
	// UpdateLoan saves the loan's patron (0 stores NULL: a returned loan
	// unlinked for privacy), due time, renewals and return time.
	UpdateLoan(l Loan) error
	CountOpenLoans(patronID int64) (int, error)
	// OpenLoansAndBalance returns what OpenLoans and FineBalance return, in
	// one query: the borrowing record needs both.
	OpenLoansAndBalance(patronID int64) ([]Loan, Money, error)
	// OpenLoansWindow returns a window of the patron's current loans for a
	// borrowing record that shows a page of them: limit loans from offset in
	// OpenLoans' order, how many there are in all, the due times of those
	// due before dueBefore (the ones that may be overdue, for the record's
	// totals) and the fine balance. Its cost grows with the window and the
	// loans due before dueBefore, not with the other loans.
	OpenLoansWindow(patronID int64, offset, limit int, dueBefore time.Time) (LoanWindow, error)

	// AddFine appends an entry to the patron's fine ledger and sets e.ID.
	AddFine(e *FineEntry) error
	// FineBalance returns charges minus payments and waivers.
	FineBalance(patronID int64) (Money, error)
	// FineEntryByID returns one entry of a fine ledger.
	FineEntryByID(id int64) (FineEntry, error)
	// PaymentByReceipt returns the patron's payment with the receipt
	// number; ENOTFOUND when there is none.
	PaymentByReceipt(patronID int64, receipt string) (FineEntry, error)
	// LastIssuedReceipt returns the highest receipt number that begins
	// with prefix among the payments recorded from from until until
	// (numbers of one length compare as text, a longer one is higher), or
	// "" when there is none.
	LastIssuedReceipt(prefix string, from, until time.Time) (string, error)
	// TakenBetween returns the payments and waivers recorded from from
	// until until, oldest first, with their patrons' barcodes: those
	// taken by takenBy, or everyone's when takenBy is "".
	TakenBetween(from, until time.Time, takenBy string) ([]LedgerLine, error)

	// CreateSession stores s (its token hash, never the token) and sets s.ID.
	CreateSession(s *Session) error
	SessionByTokenHash(hash []byte) (Session, error)
	// TouchSession records activity on the session at instant at.
	TouchSession(id int64, at time.Time) error
	DeleteSession(id int64) error
	// DeletePatronSessions ends every session of the patron except exceptID (0 for none).
	DeletePatronSessions(patronID, exceptID int64) error
	// PatronSessions returns every stored session of the patron, most
	// recently used first.
	PatronSessions(patronID int64) ([]Session, error)
	// DeletePatronSession ends the patron's session with the public id and
	// reports whether there was one: a session of another patron is never
	// touched, and is reported as none.
	DeletePatronSession(patronID int64, publicID string) (bool, error)
	// DeleteStaleSessions removes sessions idle since before idleBefore or
	// expired before now, and returns how many it removed.
	DeleteStaleSessions(idleBefore, now time.Time) (int, error)

	// LockedUntil returns when the lock on a throttle key ends, or the zero
	// time when the key is not locked at instant now.
	LockedUntil(key string, now time.Time) (time.Time, error)
	// Lock locks a throttle key until the given instant.
	Lock(key string, until time.Time) error
	// Unlock removes a key's lock and its failures.
	Unlock(key string) error
	// AddFailure records a settled failed sign-in for key and returns its ID.
	AddFailure(key string, at time.Time) (int64, error)
	// ReserveFailure records an attempt about to be checked as a pending
	// failure of key, counted until the instant until unless settled, and
	// returns its ID.
	ReserveFailure(key string, at, until time.Time) (int64, error)
	// SettleFailure makes a pending failure a settled one, counted for the
	// whole window; one already deleted is no error.
	SettleFailure(id int64) error
	// DeleteFailure removes one failure, e.g. a pending attempt that succeeded.
	DeleteFailure(id int64) error
	// CountFailures counts the key's settled failures at or after since.
	CountFailures(key string, since time.Time) (int, error)
	// CountAttempts counts the key's settled failures at or after since,
	// and its pending failures still counted at instant now.
	CountAttempts(key string, since, now time.Time) (failures, reservations int, err error)
	// DeleteOldFailures removes failures before the instant and expired locks.
	DeleteOldFailures(before time.Time) error

	// ClaimJob claims the run of the periodic job name that is due at now:
	// it reports true, and moves the job's next run to next, only when no
	// other node has claimed a run due after now. A job never seen before is
	// due at once.
	ClaimJob(name string, now, next time.Time) (bool, error)
	// JobRuns returns how many runs of the job have been claimed in all.
	JobRuns(name string) (int64, error)

	// AddAudit appends an entry to the audit log and sets e.ID.
	AddAudit(e *AuditEntry) error
	// PatronAudit returns the patron's audit trail, newest first, at most limit entries.
	PatronAudit(patronID int64, limit int) ([]AuditEntry, error)

	// SIP2 accounts: the machines (kiosks, gates, proxies) that speak SIP2
	// to the library.

	// CreateSIPAccount stores a new account and sets a.ID; ECONFLICT when
	// the login exists.
	CreateSIPAccount(a *SIPAccount) error
	SIPAccountByLogin(login string) (SIPAccount, error)
	// SIPAccountWithoutLogin returns the oldest account of the institution
	// whose machines need not log in.
	SIPAccountWithoutLogin(institution string) (SIPAccount, error)
	// SIPAccounts lists every account, by login.
	SIPAccounts() ([]SIPAccount, error)
	// UpdateSIPAccount stores a's policy (RequirePIN, Encoding) on the
	// account with a.ID; ENOTFOUND when there is none.
	UpdateSIPAccount(a SIPAccount) error

	// The staff desk: staff accounts and their sessions, former barcodes,
	// desk searches, holds, the fine ledger, the audit log's search and
	// the request tokens that make a form sent twice act once.

	// CreateStaff stores a new staff account and sets st.ID; ECONFLICT when
	// the username exists.
	CreateStaff(st *Staff) error
	StaffByID(id int64) (Staff, error)
	StaffByUsername(username string) (Staff, error)
	// UpdateStaff saves every field of st but its username and creation time.
	UpdateStaff(st Staff) error
	// ListStaff returns every staff account, by username.
	ListStaff() ([]Staff, error)
	// CreateStaffSession stores s (its token hash, never the token) and sets s.ID.
	CreateStaffSession(s *StaffSession) error
	StaffSessionByTokenHash(hash []byte) (StaffSession, error)
	// TouchStaffSession records activity on the session at instant at.
	TouchStaffSession(id int64, at time.Time) error
	DeleteStaffSession(id int64) error
	// DeleteStaffSessions ends every session of the staff account.
	DeleteStaffSessions(staffID int64) error
	// DeleteStaleStaffSessions removes staff sessions idle since before
	// idleBefore or expired before now, and returns how many it removed.
	DeleteStaleStaffSessions(idleBefore, now time.Time) (int, error)

	// KeyCheck returns the value sealed under name by the secret key the
	// library's secrets are sealed with (ENOTFOUND when there is none), by
	// which a start with another key is refused.
	KeyCheck(name string) (string, error)
	// SetKeyCheck stores the key check under name.
	SetKeyCheck(name, sealed string) error
	// DeleteKeyCheck removes the key check under name; none is not an error.
	DeleteKeyCheck(name string) error

	// SearchPatrons returns the patrons that match q, a page of them.
	SearchPatrons(q PatronQuery) ([]Patron, error)
	// RetireBarcode records barcode as a former barcode of the patron;
	// ECONFLICT when it is already someone's former barcode.
	RetireBarcode(patronID int64, barcode string, at time.Time) error
	// BarcodeRetired reports whether barcode is anyone's former barcode.
	BarcodeRetired(barcode string) (bool, error)
	// FormerBarcodes returns the patron's former barcodes, oldest first.
	FormerBarcodes(patronID int64) ([]FormerBarcode, error)
	// SearchItems returns the items that match q, a page of them, each with
	// its open loan (Loan.ID 0 when on the shelf) and borrower's barcode.
	SearchItems(q ItemQuery) ([]ItemStatus, error)
	// FineEntries returns the patron's fine ledger, oldest first.
	FineEntries(patronID int64) ([]FineEntry, error)

	// CreateHold stores a new hold and sets h.ID; ECONFLICT when the patron
	// already has an open hold on the item, or the item is already trapped.
	CreateHold(h *Hold) error
	HoldByID(id int64) (Hold, error)
	// UpdateHold saves the hold's patron (0 stores NULL), state, trap time,
	// pickup deadline and close time; ECONFLICT as CreateHold.
	UpdateHold(h Hold) error
	// PatronHolds returns the patron's open holds and those closed at or
	// after closedSince, newest first.
	PatronHolds(patronID int64, closedSince time.Time) ([]Hold, error)
	// CountOpenHolds counts the patron's waiting and trapped holds.
	CountOpenHolds(patronID int64) (int, error)
	// OpenHold returns the patron's open hold on the item.
	OpenHold(patronID, itemID int64) (Hold, error)
	// ItemHolds returns the item's open holds: the trapped one first, then
	// the waiting ones in queue order.
	ItemHolds(itemID int64) ([]Hold, error)
	// TrappedHolds returns the holds on the hold shelf, by pickup deadline.
	TrappedHolds() ([]Hold, error)
	// HeldItems returns which of the patron's loaned items have a waiting hold.
	HeldItems(patronID int64) ([]int64, error)
	// UnlinkClosedHolds removes the patron from holds closed before the
	// instant, and returns how many it changed.
	UnlinkClosedHolds(before time.Time) (int, error)

	// SearchAudit returns the audit entries that match f, newest first.
	SearchAudit(f AuditFilter) ([]AuditEntry, error)
	// ClaimRequest records that the desk request with the token was carried
	// out; ECONFLICT when it already was.
	ClaimRequest(token, action, actor string, at time.Time) error
	// DeleteOldRequests forgets request tokens claimed before the instant.
	DeleteOldRequests(before time.Time) error
}

// Session is a signed-in patron's server-side session. Only a hash of the
// session token is stored, so a copy of the database cannot be used to sign in.
type Session struct {
	ID         int64
	TokenHash  []byte
	PatronID   int64
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute end, whatever the activity
	// PublicID names the session on the patron's list of signed-in
	// devices: random, unrelated to the token, and no use for signing in.
	PublicID string
	// Device is a coarse label of what the session was opened on, from
	// fixed words (see DeviceLabel); "" when unknown.
	Device string
	// PresetProved says the session was opened by signing in with the
	// barcode preset: the forced change of that preset, in this session,
	// need not ask for it again (Session.SkipsOldPIN).
	PresetProved bool
}

// AuditEntry records something that happened to a patron's account. It holds
// no PIN, no hash and no HKID number.
type AuditEntry struct {
	ID       int64
	At       time.Time
	Actor    string // "patron", "staff:NAME", "import", "system"
	PatronID int64  // 0 when not about one patron
	Action   string // e.g. "signin", "pin.change", "loan.renew"
	Detail   string
	// Addr is the client address the request came from; "" when it came
	// from no network (the command line, a periodic job, an import).
	Addr string
	// PatronBarcode is the patron's current barcode, filled in by
	// SearchAudit for the desk's audit log; not stored with the entry.
	PatronBarcode string
}
