package library

import (
	"context"
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

// Tx is one transaction on the Store. Methods that look up one thing return
// an error with code ENOTFOUND when it does not exist; methods that would
// break a uniqueness rule return ECONFLICT.
type Tx interface {
	PatronByID(id int64) (Patron, error)
	PatronByBarcode(barcode string) (Patron, error)
	// CreatePatron stores a new patron, PIN included, and sets p.ID.
	CreatePatron(p *Patron) error
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

	// AddFine appends an entry to the patron's fine ledger and sets e.ID.
	AddFine(e *FineEntry) error
	// FineBalance returns charges minus payments and waivers.
	FineBalance(patronID int64) (Money, error)

	// CreateSession stores s (its token hash, never the token) and sets s.ID.
	CreateSession(s *Session) error
	SessionByTokenHash(hash []byte) (Session, error)
	// TouchSession records activity on the session at instant at.
	TouchSession(id int64, at time.Time) error
	DeleteSession(id int64) error
	// DeletePatronSessions ends every session of the patron except exceptID (0 for none).
	DeletePatronSessions(patronID, exceptID int64) error
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
	// AddFailure records a failed (or pending) sign-in for key and returns its ID.
	AddFailure(key string, at time.Time) (int64, error)
	// DeleteFailure removes one failure, e.g. a pending attempt that succeeded.
	DeleteFailure(id int64) error
	// CountFailures counts the key's failures at or after since.
	CountFailures(key string, since time.Time) (int, error)
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
}
