package library

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SecretKeySize is the length of a secret key in bytes: an AES-256 key.
const SecretKeySize = 32

// SecretKey seals the secrets Carrel must read back, the staff's
// two-factor secrets, so that someone holding the database file (a copy,
// a backup, a stolen disk) cannot make a staff member's codes. It is
// AES-256-GCM from the standard library, with a random nonce for every
// seal and associated data that names what was sealed and for whom: a
// sealed secret moved to another staff account, or a sealed set-up
// moved to another session, does not open.
//
// A sealed value is text: "v1:" the key's ID ":" the nonce and ciphertext
// in unpadded base64url. The version says how it was sealed, and the key
// ID with which key, so that a later Carrel can rotate keys and tell a
// value sealed with another key, or one from before sealing (a base32
// secret has no ':'), from a damaged one.
type SecretKey struct {
	aead cipher.AEAD
	id   string
}

// sealVersion begins every sealed value.
const sealVersion = "v1"

// NewSecretKey returns the secret key made of raw, which must be
// SecretKeySize random bytes (`carrel serve` reads them from its
// --secret-key-file).
func NewSecretKey(raw []byte) (*SecretKey, error) {
	if len(raw) != SecretKeySize {
		return nil, Errorf(EINVALID, "a secret key is %d bytes, not %d", SecretKeySize, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, Errorf(EINVALID, "secret key: %v", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, Errorf(EINVALID, "secret key: %v", err)
	}
	// The ID names the key without giving it away: an HMAC of a fixed
	// text, cut to 8 bytes, as a key fingerprint.
	mac := hmac.New(sha256.New, raw)
	mac.Write([]byte("carrel secret key id"))
	return &SecretKey{aead: aead, id: hex.EncodeToString(mac.Sum(nil)[:8])}, nil
}

// ID returns the key's fingerprint: 16 hex digits that name the key in
// messages and in every value it seals, and give nothing of it away.
func (k *SecretKey) ID() string { return k.id }

// seal encrypts plain for the purpose and subject given in ad.
func (k *SecretKey) seal(ad string, plain []byte) string {
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce) // crypto/rand.Read never fails on the systems Go supports
	out := k.aead.Seal(nonce, nonce, plain, []byte(ad))
	return sealVersion + ":" + k.id + ":" + base64.RawURLEncoding.EncodeToString(out)
}

// errSealBroken is a sealed value that does not open: damaged, sealed for
// another purpose or subject, or with another key.
var errSealBroken = errors.New("sealed value does not open")

// open decrypts a value sealed by seal with the same ad.
func (k *SecretKey) open(ad, sealed string) ([]byte, error) {
	version, rest, _ := strings.Cut(sealed, ":")
	id, body, ok := strings.Cut(rest, ":")
	if version != sealVersion || !ok {
		return nil, errSealBroken
	}
	if id != k.id {
		return nil, fmt.Errorf("%w: sealed with key %s, not %s", errSealBroken, id, k.id)
	}
	// Strict: a changed unused bit in the last character is a change too.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize() {
		return nil, errSealBroken
	}
	plain, err := k.aead.Open(nil, raw[:k.aead.NonceSize()], raw[k.aead.NonceSize():], []byte(ad))
	if err != nil {
		return nil, errSealBroken
	}
	return plain, nil
}

// Sealed reports whether a stored secret is sealed (by any key), rather
// than a two-factor secret from before Carrel sealed them, in clear.
func Sealed(stored string) bool { return strings.HasPrefix(stored, sealVersion+":") }

// sealedKeyID returns the ID of the key a sealed value was sealed with.
func sealedKeyID(sealed string) string {
	if !Sealed(sealed) {
		return ""
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(sealed, sealVersion+":"), ":")
	return id
}

// totpSecretAD is the associated data of staff account id's two-factor
// secret at rest.
func totpSecretAD(staffID int64) string {
	return "carrel totp secret v1\x00staff " + strconv.FormatInt(staffID, 10)
}

// SealTOTP seals the base32 two-factor secret of the staff account with
// the given ID, as the staff table keeps it (Staff.TOTPSecret).
func (k *SecretKey) SealTOTP(staffID int64, secret string) string {
	return k.seal(totpSecretAD(staffID), []byte(secret))
}

// openTOTP opens the sealed two-factor secret of the staff account with
// the given ID. A secret sealed for another account does not open.
func (k *SecretKey) openTOTP(staffID int64, sealed string) (string, error) {
	plain, err := k.open(totpSecretAD(staffID), sealed)
	return string(plain), err
}

// keyCheckAD is the associated data of the key check, a value the key
// seals into the database the first time it is used, so that starting
// with another key is refused before any staff member is locked out.
const keyCheckAD = "carrel key check v1"

// keyCheckText is what the key check holds.
const keyCheckText = "carrel"

// SecretKeyMismatchError refuses a secret key that is not the one the
// library's two-factor secrets are sealed with.
type SecretKeyMismatchError struct {
	Bound string // the ID of the key the library is sealed with
	Given string // the ID of the key given
}

// Error implements error.
func (e *SecretKeyMismatchError) Error() string {
	return fmt.Sprintf("library: the secret key given (key ID %s) is not the one this library's two-factor secrets are sealed with (key ID %s)",
		e.Given, e.Bound)
}
