package library

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"time"
)

// Config holds the library's rules. It is read once at start-up (from a JSON
// file and flags) and copied into the components that need it.
type Config struct {
	// LibraryName is shown in page titles.
	LibraryName string `json:"library_name"`
	// HomeURL is the library's home page, where the sign-in form's Cancel goes.
	HomeURL string `json:"home_url"`
	// Phone and Email are where patrons ask library staff for help.
	Phone string `json:"phone"`
	Email string `json:"email"`
	// TimeZone is the library's zone, an IANA name such as Asia/Hong_Kong.
	TimeZone string `json:"time_zone"`
	// ClosedWeekdays are days of the week the library is shut; nothing falls due on them.
	ClosedWeekdays []time.Weekday `json:"closed_weekdays"`
	// ClosedDates are holidays on which the library is shut.
	ClosedDates []Date `json:"closed_dates"`
	// Categories holds the loan rules for each patron category, by name.
	Categories map[string]Category `json:"categories"`
	// PresetRules says how a patron's first PIN is derived, by registration date.
	PresetRules []PresetRule `json:"preset_rules"`
	// FineThreshold: borrowing and renewing stop while unpaid fines reach it.
	FineThreshold Money `json:"fine_threshold_cents"`
	// RenewGraceDays: a loan overdue by more days than this cannot be renewed online.
	RenewGraceDays int `json:"renew_grace_days"`
	// PIN is the policy for PINs patrons choose.
	PIN PINPolicy `json:"pin"`
	// Throttle limits failed sign-ins.
	Throttle Throttle `json:"throttle"`
	// Session sets how long a patron stays signed in.
	Session SessionPolicy `json:"session"`
	// SweepEvery is how often the cluster removes expired sessions and stale
	// sign-in failures (once per cluster, whichever node claims the run).
	SweepEvery Duration `json:"sweep_every"`
	// TrustedProxies are the addresses (CIDR prefixes such as 10.0.0.0/8) of
	// load balancers in front of Carrel. Only a request that comes from one
	// of them has its X-Forwarded-For header believed, for the client address
	// that sign-in failures are counted against.
	TrustedProxies []string `json:"trusted_proxies"`
	// Staff sets the policy for staff accounts and their sessions.
	Staff StaffPolicy `json:"staff"`
	// HoldShelfDays is how many days a trapped item waits on the hold shelf
	// for its patron (to the end of that day, or of the next open day).
	HoldShelfDays int `json:"hold_shelf_days"`
	// TemporaryPINValid is how long a PIN given out by staff can be used: a
	// temporary PIN after a reset, or a random first PIN at registration.
	TemporaryPINValid Duration `json:"temporary_pin_valid"`
	// Limits bound what a crowd of clients can take of one node.
	Limits Limits `json:"limits"`
	// DateFormat is how staff read and type dates in the desk's date
	// fields: "DD/MM/YYYY" (the default, as in Hong Kong), "MM/DD/YYYY" or
	// "YYYY-MM-DD". ISO dates (YYYY-MM-DD) are accepted whatever it is.
	DateFormat string `json:"date_format"`
	// BlockReasons are the reasons staff choose from when they block a
	// patron, each with what the patron is told and the way out.
	BlockReasons []BlockReason `json:"block_reasons"`

	proxies []netip.Prefix
	loc     *time.Location
}

// Category is a kind of patron (student, staff, ...) with its loan rules.
type Category struct {
	// BarcodePattern is the regular expression a barcode of this category
	// matches in full (after normalising), e.g. ^[0-9]{8}$ for students.
	BarcodePattern string `json:"barcode_pattern"`
	// BarcodeHint describes the barcode to a person, e.g. "8 digits".
	BarcodeHint string `json:"barcode_hint"`
	MaxLoans    int    `json:"max_loans"`
	LoanDays    int    `json:"loan_days"`
	MaxRenewals int    `json:"max_renewals"`
	FinePerDay  Money  `json:"fine_per_day_cents"`
	FineCap     Money  `json:"fine_cap_cents"`
	// MaxHolds is how many open holds a patron of the category may have;
	// 0 means the category may not place holds.
	MaxHolds int `json:"max_holds"`
	// NoRenewalBeforeDays, when above 0, refuses renewing a loan earlier
	// than this many days before its due date; 0 allows it any time the
	// renewal would move the due date later.
	NoRenewalBeforeDays int `json:"no_renewal_before_days"`
	// CardValidMonths is how long a card of the category is valid from
	// the day of registration: it sets the expiry date registration gives
	// unless staff type another. 0: no expiry date by default.
	CardValidMonths int `json:"card_valid_months"`
	// CardValidUntil, when set, is the fixed last day of every card of the
	// category registered before it (the end of an academic year, say);
	// it wins over CardValidMonths until that day has passed.
	CardValidUntil Date `json:"card_valid_until"`

	re *regexp.Regexp
}

// PresetRule chooses how the preset PIN is derived for patrons registered
// between From and Until (both inclusive; a zero end is open).
type PresetRule struct {
	From  Date   `json:"from"`
	Until Date   `json:"until"`
	Rule  string `json:"rule"` // PresetHKID, PresetBarcode or PresetRandom
}

// The preset rules Carrel knows.
const (
	PresetHKID    = "hkid"    // capital letter and five digits of the HKID number
	PresetBarcode = "barcode" // the patron barcode itself
	// PresetRandom gives a patron registered at the desk a random first PIN,
	// shown once to the staff member and to be changed at first sign-in.
	// Imported patrons it covers get no PIN until staff reset one.
	PresetRandom = "random"
)

// StaffPolicy is the policy for staff accounts and their sessions.
type StaffPolicy struct {
	// PasswordMinLength is the shortest password a staff account may have;
	// otherwise the PIN policy applies (blocklist, no username or name).
	PasswordMinLength int `json:"password_min_length"`
	// IdleTimeout and AbsoluteTimeout end a staff session.
	IdleTimeout     Duration `json:"idle_timeout"`
	AbsoluteTimeout Duration `json:"absolute_timeout"`
	// RequireTOTPForAdmins makes two-factor codes mandatory for admin
	// accounts: an admin without them must set them up at sign-in.
	RequireTOTPForAdmins bool `json:"require_totp_for_admins"`
}

// Limits bound the work and connections one node takes on at once. The
// argon2id hashes themselves are bounded by the cores (one per CPU), each
// holding ArgonMemoryKiB; these say how many more may wait, and how many
// machines may hold a SIP2 connection.
type Limits struct {
	// SignInQueue is how many PIN and password checks may wait for a free
	// hashing slot, on top of the one per CPU being hashed. A sign-in
	// beyond it is answered at once with "busy, try again" (HTTP 503 with
	// Retry-After) instead of waiting: on two cores about 40 checks finish
	// a second, so the default of 128 is about three seconds' work.
	SignInQueue int `json:"sign_in_queue"`
	// SignInShare is the most places in the hashing line (the slots, one
	// per CPU, plus SignInQueue) that one client address, or one patron
	// session, may hold at once: beyond it that client's next check is
	// answered "busy" at once (a SIP2 login waits its turn instead), so
	// one client flooding sign-in or Change Password cannot turn everyone
	// else away. 0, the default, means a quarter of the line, at least 2
	// (32 on two CPUs with the default queue): room for a class signing in
	// at once behind one campus address, while four such clients are
	// needed to fill the line. Raise it where many patrons share one
	// address and sign in together.
	SignInShare int `json:"sign_in_share"`
	// SIP2MaxConnections is how many SIP2 connections may be open at once;
	// a connection beyond it is closed as soon as it is accepted.
	SIP2MaxConnections int `json:"sip2_max_connections"`
	// SIP2MaxBeforeLogin is how many of those connections may be open
	// without having logged in: a machine connects and logs in at once, so
	// connections that only wait (or send SC Status) cannot take the slots
	// of the kiosks. 0, the default, is a quarter of sip2_max_connections.
	SIP2MaxBeforeLogin int `json:"sip2_max_before_login"`
}

// SIP2BeforeLogin is how many SIP2 connections of the maxConns a node
// serves may be open without having logged in: sip2_max_before_login, or
// a quarter of maxConns (at least one) when that is 0; never more than
// maxConns.
func (l Limits) SIP2BeforeLogin(maxConns int) int {
	n := l.SIP2MaxBeforeLogin
	if n <= 0 {
		n = max(maxConns/4, 1)
	}
	return min(n, maxConns)
}

// PINPolicy is the policy for chosen PINs, after NIST SP 800-63B.
type PINPolicy struct {
	MinLength int `json:"min_length"`
	MaxLength int `json:"max_length"`
}

// Throttle limits failed sign-ins per barcode and per client address.
type Throttle struct {
	MaxFailures     int      `json:"max_failures"`      // per barcode within Window
	AddrMaxFailures int      `json:"addr_max_failures"` // per client address within Window
	Window          Duration `json:"window"`
	Lockout         Duration `json:"lockout"`
}

// SessionPolicy sets session lifetimes.
type SessionPolicy struct {
	IdleTimeout     Duration `json:"idle_timeout"`
	AbsoluteTimeout Duration `json:"absolute_timeout"`
}

// DefaultConfig returns the rules from the library's own service page and
// Carrel's defaults for everything the page does not say.
func DefaultConfig() Config {
	c := Config{
		LibraryName:    "College Library",
		HomeURL:        "http://library.hkct.edu.hk",
		Phone:          "2265-6918",
		Email:          "lib@hkct.edu.hk",
		TimeZone:       "Asia/Hong_Kong",
		ClosedWeekdays: []time.Weekday{time.Sunday},
		Categories: map[string]Category{
			"student": {BarcodePattern: `^[0-9]{8}$`, BarcodeHint: "8 digits", MaxLoans: 10, LoanDays: 14, MaxRenewals: 2, FinePerDay: 100, FineCap: 5000, MaxHolds: 5,
				CardValidMonths: 12},
			"staff": {BarcodePattern: `^[0-9A-Z]{4,12}$`, BarcodeHint: "4 to 12 letters or digits", MaxLoans: 30, LoanDays: 28, MaxRenewals: 3, FinePerDay: 100, FineCap: 5000, MaxHolds: 10,
				CardValidMonths: 36},
		},
		PresetRules: []PresetRule{
			{Until: NewDate(2018, time.July, 31), Rule: PresetHKID},
			{From: NewDate(2018, time.August, 1), Rule: PresetBarcode},
		},
		FineThreshold:  5000,
		RenewGraceDays: 30,
		PIN:            PINPolicy{MinLength: 8, MaxLength: 128},
		Throttle:       Throttle{MaxFailures: 10, AddrMaxFailures: 100, Window: Duration(15 * time.Minute), Lockout: Duration(15 * time.Minute)},
		Session:        SessionPolicy{IdleTimeout: Duration(10 * time.Minute), AbsoluteTimeout: Duration(8 * time.Hour)},
		SweepEvery:     Duration(5 * time.Minute),
		Staff: StaffPolicy{PasswordMinLength: 12, IdleTimeout: Duration(60 * time.Minute),
			AbsoluteTimeout: Duration(12 * time.Hour)},
		HoldShelfDays:     7,
		TemporaryPINValid: Duration(7 * 24 * time.Hour),
		Limits:            Limits{SignInQueue: 128, SIP2MaxConnections: 256},
		DateFormat:        DateFormatDMY,
		BlockReasons:      DefaultBlockReasons(),
	}
	if err := c.Prepare(); err != nil {
		panic(err) // the defaults are fixed; a failure here is a bug
	}
	return c
}

// LoadConfig reads a JSON file over the defaults: what the file leaves out
// keeps its default. The result is prepared and checked.
func LoadConfig(path string) (Config, error) {
	c := DefaultConfig()
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Prepare(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Prepare checks c and compiles what it needs (time zone, barcode patterns).
// Call it after changing a Config by hand.
func (c *Config) Prepare() error {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return Errorf(EINVALID, "time zone %q: %v", c.TimeZone, err)
	}
	c.loc = loc
	c.proxies = c.proxies[:0]
	for _, cidr := range c.TrustedProxies {
		pfx, err := netip.ParsePrefix(cidr)
		if err != nil {
			return Errorf(EINVALID, "trusted_proxies: %q is not an address prefix such as 10.0.0.0/8", cidr)
		}
		c.proxies = append(c.proxies, pfx.Masked())
	}
	if len(c.Categories) == 0 {
		return Errorf(EINVALID, "no patron categories")
	}
	cats := make(map[string]Category, len(c.Categories))
	for name, cat := range c.Categories {
		re, err := regexp.Compile(cat.BarcodePattern)
		if err != nil {
			return Errorf(EINVALID, "category %s: barcode pattern: %v", name, err)
		}
		cat.re = re
		if cat.MaxLoans < 0 || cat.LoanDays < 1 || cat.MaxRenewals < 0 || cat.FinePerDay < 0 || cat.FineCap < 0 || cat.MaxHolds < 0 || cat.NoRenewalBeforeDays < 0 {
			return Errorf(EINVALID, "category %s: loan rules must not be negative and loan days at least 1", name)
		}
		if cat.CardValidMonths < 0 || cat.CardValidMonths > 1200 {
			return Errorf(EINVALID, "category %s: card_valid_months must be between 0 (no default expiry) and 1200", name)
		}
		cats[name] = cat
	}
	c.Categories = cats
	for _, r := range c.PresetRules {
		if r.Rule != PresetHKID && r.Rule != PresetBarcode && r.Rule != PresetRandom {
			return Errorf(EINVALID, "preset rule %q: want %q, %q or %q", r.Rule, PresetHKID, PresetBarcode, PresetRandom)
		}
	}
	if err := c.prepareDates(); err != nil {
		return err
	}
	if err := c.prepareBlockReasons(); err != nil {
		return err
	}
	if len(c.ClosedWeekdays) >= 7 {
		return Errorf(EINVALID, "the library cannot be closed every day of the week")
	}
	if c.PIN.MinLength < 1 || c.PIN.MaxLength < c.PIN.MinLength {
		return Errorf(EINVALID, "PIN length: need 1 <= min_length <= max_length")
	}
	if c.Throttle.MaxFailures < 1 || c.Throttle.AddrMaxFailures < 1 || c.Throttle.Window <= 0 || c.Throttle.Lockout <= 0 {
		return Errorf(EINVALID, "throttle: limits and durations must be positive")
	}
	if c.Session.IdleTimeout <= 0 || c.Session.AbsoluteTimeout < c.Session.IdleTimeout {
		return Errorf(EINVALID, "session: need 0 < idle_timeout <= absolute_timeout")
	}
	if c.SweepEvery < Duration(time.Second) {
		return Errorf(EINVALID, "sweep_every: need at least 1s")
	}
	if c.Staff.PasswordMinLength < 8 || c.Staff.PasswordMinLength > c.PIN.MaxLength {
		return Errorf(EINVALID, "staff: need 8 <= password_min_length <= pin max_length")
	}
	if c.Staff.IdleTimeout <= 0 || c.Staff.AbsoluteTimeout < c.Staff.IdleTimeout {
		return Errorf(EINVALID, "staff: need 0 < idle_timeout <= absolute_timeout")
	}
	if c.HoldShelfDays < 1 {
		return Errorf(EINVALID, "hold_shelf_days: need at least 1")
	}
	if c.TemporaryPINValid < Duration(time.Hour) {
		return Errorf(EINVALID, "temporary_pin_valid: need at least 1h")
	}
	if c.Limits.SignInQueue < 1 || c.Limits.SignInQueue > maxLimit {
		return Errorf(EINVALID, "limits: sign_in_queue must be between 1 and %d", maxLimit)
	}
	if c.Limits.SignInShare < 0 || c.Limits.SignInShare > maxLimit {
		return Errorf(EINVALID, "limits: sign_in_share must be between 0 (a quarter of the line) and %d", maxLimit)
	}
	if c.Limits.SIP2MaxConnections < 1 || c.Limits.SIP2MaxConnections > maxLimit {
		return Errorf(EINVALID, "limits: sip2_max_connections must be between 1 and %d", maxLimit)
	}
	if c.Limits.SIP2MaxBeforeLogin < 0 || c.Limits.SIP2MaxBeforeLogin > c.Limits.SIP2MaxConnections {
		return Errorf(EINVALID, "limits: sip2_max_before_login must be between 1 and sip2_max_connections (%d), or 0 for a quarter of it",
			c.Limits.SIP2MaxConnections)
	}
	return nil
}

// maxLimit is the largest value a setting of Limits takes: beyond it a
// node runs out of file descriptors or memory before the limit means
// anything.
const maxLimit = 100000

// TrustedProxy reports whether addr is one of the trusted load balancers.
func (c *Config) TrustedProxy(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range c.proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Location returns the library's time zone.
func (c *Config) Location() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// Today returns the library's calendar day at instant now.
func (c *Config) Today(now time.Time) Date { return DateOf(now, c.Location()) }

// Category returns the rules of the named category.
func (c *Config) Category(name string) (Category, bool) {
	cat, ok := c.Categories[name]
	return cat, ok
}

// CategoryNames returns the configured category names, sorted.
func (c *Config) CategoryNames() []string {
	names := make([]string, 0, len(c.Categories))
	for n := range c.Categories {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ValidBarcode reports whether a normalised barcode fits the category's pattern.
func (cat Category) ValidBarcode(barcode string) bool {
	return cat.re != nil && cat.re.MatchString(barcode)
}

// PresetRuleFor returns the preset rule for a patron registered on day d,
// or "" when no rule covers that day.
func (c *Config) PresetRuleFor(d Date) string {
	for _, r := range c.PresetRules {
		if (r.From.IsZero() || !d.Before(r.From)) && (r.Until.IsZero() || !d.After(r.Until)) {
			return r.Rule
		}
	}
	return ""
}

// Duration is a time.Duration written in configuration as "15m" or "8h".
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalText writes d as "15m0s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads a duration such as "15m" or "8h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return Errorf(EINVALID, "%q is not a duration such as 15m or 8h", b)
	}
	*d = Duration(v)
	return nil
}
