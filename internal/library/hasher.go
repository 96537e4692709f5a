package library

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// The argon2id parameters of every new hash: OWASP's recommended minimum
// (m=19 MiB, t=2, p=1). Verify accepts whatever a stored PHC string states,
// so raising them later only needs new hashes, not a migration.
const (
	ArgonMemoryKiB = 19456 // memory per hash, in KiB
	ArgonTime      = 2     // passes over the memory
	ArgonThreads   = 1     // lanes; one, so a sign-in burst is bounded by the semaphore alone
	ArgonSaltLen   = 16    // bytes of random salt
	ArgonKeyLen    = 32    // bytes of derived key
)

// Bounds on what a stored PHC string may ask for. They keep a corrupt or
// hostile record from making one Verify allocate gigabytes or spin for
// minutes.
const (
	argonMaxMemoryKiB = 1 << 20 // 1 GiB
	argonMaxTime      = 64
	argonMinSaltLen   = 8
	argonMaxSaltLen   = 64
	argonMinKeyLen    = 16
	argonMaxKeyLen    = 128
)

// Hasher hashes and verifies PINs with argon2id, at most N at a time.
// Each hash in flight holds ArgonMemoryKiB of memory, so the bound is what
// keeps a burst of sign-ins from exhausting memory or starving circulation.
// Make one with NewHasher; the zero value is not usable.
type Hasher struct {
	sem        chan struct{} // one token per hash in flight
	waiting    atomic.Int64  // callers blocked on sem
	queueLimit atomic.Int64  // most callers allowed to wait; 0 = unbounded
	dummyPHC   string        // what VerifyDummy verifies against
	derived    atomic.Int64  // key derivations run, for Derivations

	// share is the most places in line one owner may hold (SetShare);
	// owners counts the places each owner holds, and freed is closed (and
	// replaced) whenever one gives a place back, for callers waiting for
	// their share (hashslot.go).
	share  atomic.Int64
	mu     sync.Mutex
	owners map[string]int
	freed  chan struct{}

	// key derives the argon2id key. It is argon2.IDKey; tests swap it to
	// observe how many derivations run at once.
	key func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
}

// NewHasher returns a Hasher that runs at most maxConcurrent hashes at once
// (0 means the CPUs the Go scheduler may use, runtime.GOMAXPROCS(0), which
// honours a container's CPU limit where runtime.NumCPU sees the whole host).
func NewHasher(maxConcurrent int) *Hasher {
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	return &Hasher{
		sem: make(chan struct{}, maxConcurrent),
		// The salt and key are zeros: no PIN derives an all-zero key, and
		// only the cost of the derivation matters, which the parameters fix.
		dummyPHC: encodePHC(ArgonMemoryKiB, ArgonTime, ArgonThreads,
			make([]byte, ArgonSaltLen), make([]byte, ArgonKeyLen)),
		key:    argon2.IDKey,
		owners: map[string]int{},
		freed:  make(chan struct{}),
	}
}

// SetQueueLimit bounds how many callers may wait for a free slot: once n are
// waiting, Hash, Verify and VerifyDummy return EUNAVAILABLE at once rather
// than queue behind them (0, the default, means unbounded). Failing fast
// lets an entrance answer "busy, try again" while waiting would outlast the
// client's patience anyway.
func (h *Hasher) SetQueueLimit(n int) {
	h.queueLimit.Store(int64(max(n, 0)))
}

// Hash returns the argon2id PHC string of the NFKC-normalised pin.
func (h *Hasher) Hash(ctx context.Context, pin string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return h.derive(pin), nil
}

// derive returns the argon2id PHC string of the NFKC-normalised pin with a
// new salt. The caller holds a slot of the semaphore.
func (h *Hasher) derive(pin string) string {
	salt := make([]byte, ArgonSaltLen)
	rand.Read(salt) // since Go 1.24 it never returns an error: it crashes instead of giving weak bytes
	h.derived.Add(1)
	key := h.key([]byte(NormalizePIN(pin)), salt, ArgonTime, ArgonMemoryKiB, ArgonThreads, ArgonKeyLen)
	return encodePHC(ArgonMemoryKiB, ArgonTime, ArgonThreads, salt, key)
}

// Verify reports whether pin matches the PHC string. A wrong PIN gives
// false and no error; a PHC string that cannot be parsed, or that asks for
// absurd parameters, gives an EINTERNAL error, since stored hashes are
// Carrel's own data.
func (h *Hasher) Verify(ctx context.Context, phc, pin string) (bool, error) {
	ph, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return h.verifyParsed(ph, pin), nil
}

// verifyParsed derives pin's key under ph's parameters and compares it.
// The caller holds a slot of the semaphore.
func (h *Hasher) verifyParsed(ph phc, pin string) bool {
	h.derived.Add(1)
	key := h.key([]byte(NormalizePIN(pin)), ph.salt, ph.time, ph.memory, ph.threads, uint32(len(ph.key)))
	return subtle.ConstantTimeCompare(key, ph.key) == 1
}

// VerifyDummy does the work of one Verify and reports false. Sign-in calls
// it when there is no hash to check (unknown barcode, card holder, barcode
// preset), so that every failure costs the same time as a wrong PIN.
func (h *Hasher) VerifyDummy(ctx context.Context, pin string) error {
	_, err := h.Verify(ctx, h.dummyPHC, pin)
	return err
}

// Derivations returns how many argon2id key derivations the hasher has
// run (Hash, Verify and VerifyDummy each run one): the costly work that
// sign-ins and PIN changes do. It shows that a request refused before any
// hashing, such as a PIN over the length limit, cost none.
func (h *Hasher) Derivations() int64 { return h.derived.Load() }

// NormalizePIN returns pin in Unicode NFKC, so that the same PIN typed on a
// full-width or composing keyboard (common with Chinese input methods)
// hashes the same, as NIST SP 800-63B asks. Bytes that are not UTF-8 (which
// no entrance passes on, but a PIN may come from anywhere) become U+FFFD
// each, so the result is always text and normalising it again changes
// nothing.
func NormalizePIN(pin string) string {
	if !utf8.ValidString(pin) {
		pin = string([]rune(pin))
	}
	return norm.NFKC.String(pin)
}

// acquire takes a slot of the semaphore, waiting while ctx allows and the
// queue has room. The returned function gives the slot back.
func (h *Hasher) acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-h.sem }
	if err := ctx.Err(); err != nil {
		return nil, unavailable(err)
	}
	select {
	case h.sem <- struct{}{}:
		return release, nil
	default:
	}
	n := h.waiting.Add(1)
	defer h.waiting.Add(-1)
	if lim := h.queueLimit.Load(); lim > 0 && n > lim {
		return nil, Errorf(EUNAVAILABLE, "PIN hashing: %d callers already waiting", lim)
	}
	select {
	case h.sem <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, unavailable(ctx.Err())
	}
}

// unavailable wraps a context error so that ErrorCode gives EUNAVAILABLE and
// errors.Is still tells a cancelled request from a deadline.
func unavailable(ctxErr error) error {
	return fmt.Errorf("%w: %w", Errorf(EUNAVAILABLE, "PIN hashing: gave up waiting for a free slot"), ctxErr)
}

// phc is a parsed argon2id PHC string.
type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

var b64 = base64.RawStdEncoding.Strict()

func encodePHC(memory, time uint32, threads uint8, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, memory, time, threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parsePHC reads "$argon2id$v=19$m=M,t=T,p=P$SALT$KEY", strictly: the
// parameters in that order, unpadded standard base64, nothing else.
func parsePHC(s string) (phc, error) {
	bad := func(why string) (phc, error) {
		// The string itself stays out of the message: it is a secret's hash.
		return phc{}, Errorf(EINTERNAL, "stored PIN hash: %s", why)
	}
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" {
		return bad("not a PHC string")
	}
	if f[1] != "argon2id" {
		return bad("not argon2id")
	}
	if f[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported argon2 version")
	}
	params := strings.Split(f[3], ",")
	if len(params) != 3 {
		return bad("want parameters m, t and p")
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return bad("want parameters m, t and p")
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || v != strconv.FormatUint(n, 10) {
			return bad("parameter " + name + " is not a number")
		}
		vals[i] = n
	}
	m, t, p := vals[0], vals[1], vals[2]
	if p < 1 || p > 255 {
		return bad("parallelism out of range")
	}
	if t < 1 || t > argonMaxTime {
		return bad("time cost out of range")
	}
	if m < 8*p || m > argonMaxMemoryKiB {
		return bad("memory cost out of range")
	}
	salt, ok := decodeB64(f[4])
	if !ok || len(salt) < argonMinSaltLen || len(salt) > argonMaxSaltLen {
		return bad("bad salt")
	}
	key, ok := decodeB64(f[5])
	if !ok || len(key) < argonMinKeyLen || len(key) > argonMaxKeyLen {
		return bad("bad key")
	}
	return phc{memory: uint32(m), time: uint32(t), threads: uint8(p), salt: salt, key: key}, nil
}

// decodeB64 decodes unpadded standard base64 and accepts only the canonical
// spelling: the decoder alone would skip embedded newlines.
func decodeB64(s string) ([]byte, bool) {
	b, err := b64.DecodeString(s)
	return b, err == nil && b64.EncodeToString(b) == s
}
