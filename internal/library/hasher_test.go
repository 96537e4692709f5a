package library

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

func TestHasherHashVerify(t *testing.T) {
	h := NewHasher(0)
	ctx := context.Background()
	tests := []struct {
		name       string
		stored, pw string
		want       bool
	}{
		{"right PIN", "correct horse 42", "correct horse 42", true},
		{"wrong PIN", "correct horse 42", "correct horse 43", false},
		{"case matters", "Library2024", "library2024", false},
		{"empty against non-empty", "Library2024", "", false},
		{"full-width typed, ASCII stored", "password1", "ｐａｓｓｗｏｒｄ１", true},
		{"ASCII typed, full-width stored", "ｐａｓｓｗｏｒｄ１", "password1", true},
		{"composed typed, decomposed stored", "cafe\u0301-latte", "caf\u00e9-latte", true},
		{"Chinese PIN", "圖書館借書證", "圖書館借書證", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			phc, err := h.Hash(ctx, tt.stored)
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}
			got, err := h.Verify(ctx, phc, tt.pw)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHasherPHCShape(t *testing.T) {
	h := NewHasher(0)
	ctx := context.Background()
	shape := regexp.MustCompile(fmt.Sprintf(`^\$argon2id\$v=19\$m=%d,t=%d,p=%d\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`,
		ArgonMemoryKiB, ArgonTime, ArgonThreads))
	a, err := h.Hash(ctx, "same PIN twice")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Hash(ctx, "same PIN twice")
	if err != nil {
		t.Fatal(err)
	}
	for _, phc := range []string{a, b} {
		m := shape.FindStringSubmatch(phc)
		if m == nil {
			t.Fatalf("PHC string %q does not match %v", phc, shape)
		}
		salt, err := base64.RawStdEncoding.DecodeString(m[1])
		if err != nil || len(salt) != ArgonSaltLen {
			t.Errorf("salt %q: %d bytes, %v; want %d bytes", m[1], len(salt), err, ArgonSaltLen)
		}
		key, err := base64.RawStdEncoding.DecodeString(m[2])
		if err != nil || len(key) != ArgonKeyLen {
			t.Errorf("key %q: %d bytes, %v; want %d bytes", m[2], len(key), err, ArgonKeyLen)
		}
	}
	if a == b {
		t.Errorf("two hashes of one PIN are equal (%q): salts are not random", a)
	}
	if shape.FindStringSubmatch(a)[1] == shape.FindStringSubmatch(b)[1] {
		t.Errorf("two hashes share a salt")
	}
}

// A PHC string made elsewhere with other parameters still verifies: Verify
// reads the parameters from the string, so raising the cost later needs no
// migration.
func TestHasherVerifyOtherParameters(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("old cheap hash"), salt, 1, 64, 2, 24)
	phc := fmt.Sprintf("$argon2id$v=19$m=64,t=1,p=2$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	h := NewHasher(1)
	for pin, want := range map[string]bool{"old cheap hash": true, "old cheap hasH": false} {
		got, err := h.Verify(context.Background(), phc, pin)
		if err != nil || got != want {
			t.Errorf("Verify(%q) = %v, %v; want %v, nil", pin, got, err, want)
		}
	}
}

func TestHasherVerifyMalformed(t *testing.T) {
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	good := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	tests := []struct{ name, phc string }{
		{"empty", ""},
		{"not PHC", "password"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"missing key", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"extra field", good + "$x"},
		{"text before", "x" + good},
		{"parameters reordered", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"parameter missing", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"parameter not a number", "$argon2id$v=19$m=lots,t=1,p=1$" + salt + "$" + key},
		{"parameter with sign", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key},
		{"memory over 1 GiB", "$argon2id$v=19$m=1048577,t=1,p=1$" + salt + "$" + key},
		{"memory over uint32", "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + key},
		{"memory below 8p", "$argon2id$v=19$m=7,t=1,p=1$" + salt + "$" + key},
		{"time zero", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"time absurd", "$argon2id$v=19$m=64,t=100000,p=1$" + salt + "$" + key},
		{"threads zero", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"threads over 255", "$argon2id$v=19$m=4096,t=1,p=256$" + salt + "$" + key},
		{"salt not base64", "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key},
		{"salt padded", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"salt with newline", "$argon2id$v=19$m=64,t=1,p=1$" + salt[:4] + "\n" + salt[4:] + "$" + key},
		{"salt too short", "$argon2id$v=19$m=64,t=1,p=1$AAAA$" + key},
		{"key empty", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
		{"key too short", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAAAAAA"},
	}
	h := NewHasher(1)
	if _, err := h.Verify(context.Background(), good, "x"); err != nil {
		t.Fatalf("the well-formed base case fails: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := h.Verify(context.Background(), tt.phc, "x")
			if ok || err == nil {
				t.Fatalf("Verify = %v, %v; want false and an error", ok, err)
			}
			if got := ErrorCode(err); got != EINTERNAL {
				t.Errorf("ErrorCode = %q, want %q", got, EINTERNAL)
			}
		})
	}
}

// keyCall records the parameters of one key derivation.
type keyCall struct {
	time, memory    uint32
	threads         uint8
	saltLen, keyLen int
}

func TestHasherVerifyDummyCostsAsMuchAsHash(t *testing.T) {
	h := NewHasher(1)
	var mu sync.Mutex
	var calls []keyCall
	h.key = func(pw, salt []byte, tm, mem uint32, th uint8, n uint32) []byte {
		mu.Lock()
		calls = append(calls, keyCall{tm, mem, th, len(salt), int(n)})
		mu.Unlock()
		return argon2.IDKey(pw, salt, tm, mem, th, n)
	}
	ctx := context.Background()
	if _, err := h.Hash(ctx, "any PIN at all"); err != nil {
		t.Fatal(err)
	}
	if err := h.VerifyDummy(ctx, "any PIN at all"); err != nil {
		t.Fatalf("VerifyDummy: %v", err)
	}
	want := keyCall{ArgonTime, ArgonMemoryKiB, ArgonThreads, ArgonSaltLen, ArgonKeyLen}
	if len(calls) != 2 || calls[0] != want || calls[1] != want {
		t.Errorf("key derivations = %+v, want two of %+v", calls, want)
	}
}

// gauge is a key function that records the most derivations in flight at once.
type gauge struct {
	inFlight, max, total atomic.Int32
	work                 func(pw, salt []byte, tm, mem uint32, th uint8, n uint32) []byte
}

func (g *gauge) key(pw, salt []byte, tm, mem uint32, th uint8, n uint32) []byte {
	now := g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	for {
		m := g.max.Load()
		if now <= m || g.max.CompareAndSwap(m, now) {
			break
		}
	}
	g.total.Add(1)
	return g.work(pw, salt, tm, mem, th, n)
}

func slowKey(pw, salt []byte, tm, mem uint32, th uint8, n uint32) []byte {
	time.Sleep(20 * time.Millisecond)
	return make([]byte, n)
}

func TestHasherBoundsConcurrency(t *testing.T) {
	tests := []struct {
		name        string
		limit, runs int
		work        func(pw, salt []byte, tm, mem uint32, th uint8, n uint32) []byte
	}{
		{"one at a time, real argon2id", 1, 4, argon2.IDKey},
		{"two at a time", 2, 8, slowKey},
		{"three at a time", 3, 9, slowKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHasher(tt.limit)
			g := &gauge{work: tt.work}
			h.key = g.key
			var wg sync.WaitGroup
			errs := make(chan error, tt.runs)
			for i := range tt.runs {
				wg.Go(func() {
					phc, err := h.Hash(context.Background(), fmt.Sprintf("PIN number %d", i))
					if err == nil && i%2 == 1 {
						_, err = h.Verify(context.Background(), phc, "another PIN")
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			wantTotal := tt.runs + tt.runs/2
			if got := int(g.total.Load()); got != wantTotal {
				t.Errorf("derivations = %d, want %d", got, wantTotal)
			}
			if got := int(g.max.Load()); got != tt.limit {
				t.Errorf("most derivations in flight = %d, want %d", got, tt.limit)
			}
		})
	}
}

func TestHasherZeroMeansNumCPU(t *testing.T) {
	if got, want := cap(NewHasher(0).sem), cap(NewHasher(-1).sem); got < 1 || got != want {
		t.Errorf("NewHasher(0) allows %d at once, NewHasher(-1) %d; want NumCPU for both", got, want)
	}
}

func TestHasherContextEnds(t *testing.T) {
	h := NewHasher(1)
	h.key = slowKey
	h.sem <- struct{}{} // every slot taken: callers must wait

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.Hash(ctx, "waits for a slot")
	if got := ErrorCode(err); got != EUNAVAILABLE {
		t.Fatalf("Hash with a deadline while busy: ErrorCode(%v) = %q, want %q", err, got, EUNAVAILABLE)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Hash returned after %v, long after its deadline", d)
	}

	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := h.Verify(cancelled, h.dummyPHC, "x"); ErrorCode(err) != EUNAVAILABLE || !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with a cancelled context while busy: %v, want EUNAVAILABLE wrapping context.Canceled", err)
	}

	<-h.sem // a free slot: an already cancelled caller is still refused
	if err := h.VerifyDummy(cancelled, "x"); ErrorCode(err) != EUNAVAILABLE {
		t.Errorf("VerifyDummy with a cancelled context: %v, want EUNAVAILABLE", err)
	}
	if _, err := h.Hash(context.Background(), "x"); err != nil {
		t.Errorf("Hash after the waiters gave up: %v (slot leaked?)", err)
	}
}

func TestHasherQueueLimit(t *testing.T) {
	h := NewHasher(1)
	h.key = slowKey
	h.SetQueueLimit(2)
	h.sem <- struct{}{} // every slot taken

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := h.Hash(ctx, "queued")
			results <- err
		}()
	}
	for h.waiting.Load() < 2 {
		time.Sleep(time.Millisecond)
	}

	// The deadline only keeps a broken limit from hanging the test.
	late, cancelLate := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelLate()
	start := time.Now()
	_, err := h.Hash(late, "one too many")
	if got := ErrorCode(err); got != EUNAVAILABLE {
		t.Errorf("third waiter with queue limit 2: ErrorCode(%v) = %q, want %q", err, got, EUNAVAILABLE)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusal took %v; want at once", d)
	}
	if got := h.waiting.Load(); got != 2 {
		t.Errorf("waiting = %d after a refusal, want 2", got)
	}

	<-h.sem // the queued two now run
	for range 2 {
		if err := <-results; err != nil {
			t.Errorf("queued Hash: %v", err)
		}
	}

	h.SetQueueLimit(0) // unbounded again
	h.sem <- struct{}{}
	for range 2 {
		go func() {
			_, err := h.Hash(ctx, "queued")
			results <- err
		}()
	}
	for h.waiting.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	go func() {
		_, err := h.Hash(ctx, "third in line")
		results <- err
	}()
	for h.waiting.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	<-h.sem
	for range 3 {
		if err := <-results; err != nil {
			t.Errorf("Hash with no queue limit: %v", err)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	h := NewHasher(1)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
