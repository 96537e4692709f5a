package library

import (
	"context"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Two-factor codes are RFC 6238 TOTP as authenticator apps make them: six
// digits, SHA-1, a new code every 30 seconds. A code one step early or late
// is accepted too, for clocks that drift.
const (
	totpPeriod = 30
	totpSkew   = 1
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpStep reports whether code is a right code of secret at now, and the
// time step it belongs to, so that a code once accepted is never accepted
// again.
func totpStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "") // "123 456" as typed
	if secret == "" || len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

// TOTPSetup is what a staff member needs to add the account to an
// authenticator app: the secret, to type in, and the otpauth:// URL, to
// show as a QR code. Show it once, to that staff member only. Sealed is
// the secret sealed for the form that confirms it (ConfirmTOTP): nothing
// is stored until a code from the app proves the set-up.
type TOTPSetup struct {
	Secret string
	URL    string
	Sealed string
}

// totpSetupTimeout is how long a set-up may wait for its code: as long as
// a sign-in may wait for its set-up (pendingStageTimeout), time enough to
// install an app and scan a code, and short enough that a page left open
// on a desk's screen soon stops being any use.
const totpSetupTimeout = pendingStageTimeout

// ErrTOTPSetupGone refuses a set-up form whose sealed secret has expired,
// belongs to another session or was changed: the staff member starts again
// with a new secret.
var ErrTOTPSetupGone = &Error{Code: EINVALID, Message: "two-factor set-up expired or not valid"}

// errNoSecretKey is the answer of the two-factor methods of a Service
// given no secret key (UseSecretKey), which cannot seal or open secrets.
var errNoSecretKey = Errorf(EINTERNAL, "two-factor codes need the secret key (carrel serve --secret-key-file)")

// totpSetupAD is the associated data of a set-up in flight: the account,
// and the session it was made for (its token's hash, which is random and
// never reused).
func totpSetupAD(sess StaffSession) string {
	return fmt.Sprintf("carrel totp set-up v1\x00staff %d\x00session %x", sess.StaffID, sess.TokenHash)
}

// BeginTOTP starts setting up two-factor codes for the account of the
// session with token (active, or at StageEnrol): a new secret, shown to
// the staff member and sealed for the confirming form, bound to this
// session and good for totpSetupTimeout. It writes nothing: a page that
// shows it may be visited any number of times. The account's current
// codes, if any, keep working until ConfirmTOTP.
func (s *Service) BeginTOTP(ctx context.Context, token string) (TOTPSetup, error) {
	if s.key == nil {
		return TOTPSetup{}, errNoSecretKey
	}
	sess, st, err := s.staffSession(ctx, token, StageActive, StageEnrol)
	if err != nil {
		return TOTPSetup{}, err
	}
	key, err := s.totpKey(st, nil)
	if err != nil {
		return TOTPSetup{}, err
	}
	plain := binary.BigEndian.AppendUint64(nil, uint64(s.now().Add(totpSetupTimeout).Unix()))
	plain = append(plain, key.Secret()...)
	return TOTPSetup{Secret: key.Secret(), URL: key.URL(), Sealed: s.key.seal(totpSetupAD(sess), plain)}, nil
}

// totpKey returns the otpauth key of the account with the given raw
// secret, or with a new random one when secret is nil.
func (s *Service) totpKey(st Staff, secret []byte) (*otp.Key, error) {
	issuer := s.cfg.LibraryName
	if issuer == "" {
		issuer = "Carrel"
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: st.Username, Secret: secret,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, Errorf(EINTERNAL, "two-factor secret: %v", err)
	}
	return key, nil
}

// openTOTPSetup opens a set-up sealed by BeginTOTP for sess, and returns
// its base32 secret; ErrTOTPSetupGone when it has expired, was made for
// another session or was changed.
func (s *Service) openTOTPSetup(sess StaffSession, sealed string) (string, error) {
	plain, err := s.key.open(totpSetupAD(sess), sealed)
	if err != nil || len(plain) <= 8 {
		return "", ErrTOTPSetupGone
	}
	if !s.now().Before(time.Unix(int64(binary.BigEndian.Uint64(plain[:8])), 0)) {
		return "", ErrTOTPSetupGone
	}
	return string(plain[8:]), nil
}

// TOTPSetupAgain returns the set-up sealed in a confirming form, to show
// again after a wrong or missing code; ErrTOTPSetupGone when it has
// expired or is not this session's (BeginTOTP makes a new one). It writes
// nothing.
func (s *Service) TOTPSetupAgain(ctx context.Context, token, sealed string) (TOTPSetup, error) {
	if s.key == nil {
		return TOTPSetup{}, errNoSecretKey
	}
	sess, st, err := s.staffSession(ctx, token, StageActive, StageEnrol)
	if err != nil {
		return TOTPSetup{}, err
	}
	secret, err := s.openTOTPSetup(sess, sealed)
	if err != nil {
		return TOTPSetup{}, err
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return TOTPSetup{}, ErrTOTPSetupGone
	}
	key, err := s.totpKey(st, raw)
	if err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: key.Secret(), URL: key.URL(), Sealed: sealed}, nil
}

// ConfirmTOTP finishes the set-up begun by BeginTOTP, whose Sealed the
// confirming form carries back, with a code from the authenticator: the
// secret is stored, sealed with the secret key for this account alone, and
// from then on the account signs in with codes. The session is replaced by
// a new active one, with a new token, so that a session at StageEnrol
// becomes a signed-in one. A wrong code gives ErrCodeWrong, a set-up
// expired, changed or made for another session ErrTOTPSetupGone; either
// changes nothing.
func (s *Service) ConfirmTOTP(ctx context.Context, token, sealed, code, addr string) (StaffSignedIn, error) {
	if s.key == nil {
		return StaffSignedIn{}, errNoSecretKey
	}
	sess, st, err := s.staffSession(ctx, token, StageActive, StageEnrol)
	if err != nil {
		return StaffSignedIn{}, err
	}
	secret, err := s.openTOTPSetup(sess, sealed)
	if err != nil {
		return StaffSignedIn{}, err
	}
	step, ok := totpStep(secret, code, s.now())
	if !ok {
		return StaffSignedIn{}, ErrCodeWrong
	}
	var out StaffSignedIn
	err = s.store.Update(ctx, func(tx Tx) error {
		out = StaffSignedIn{}
		cur, err := tx.StaffByID(st.ID)
		if err != nil {
			return err
		}
		if _, err := tx.StaffSessionByTokenHash(sess.TokenHash); err != nil {
			if IsCode(err, ENOTFOUND) {
				return ErrNoSession // signed out, or another set-up was confirmed, meanwhile
			}
			return err
		}
		cur.TOTPSecret, cur.TOTPLastStep = s.key.SealTOTP(cur.ID, secret), step
		if err := tx.UpdateStaff(cur); err != nil {
			return err
		}
		// Other sessions signed in without a code: they end.
		if err := tx.DeleteStaffSessions(cur.ID); err != nil {
			return err
		}
		if out, err = s.openStaffSession(tx, cur, StageActive); err != nil {
			return err
		}
		return s.auditBy(tx, cur.Actor(addr), 0, "staff.totp.enrol", "")
	})
	return out, err
}

// openTOTPSecret returns the base32 two-factor secret of an account, from
// its sealed form in the staff table. A secret that does not open (sealed
// for another account or with another key, damaged, or still in clear
// when it should have been sealed at start-up) gives an error, and the
// account's codes are refused: never a secret whose origin is unknown.
func (s *Service) openTOTPSecret(st Staff) (string, error) {
	if s.key == nil {
		return "", errNoSecretKey
	}
	return s.key.openTOTP(st.ID, st.TOTPSecret)
}

// ResetTOTP removes a staff account's two-factor codes (a lost phone) and
// ends its sessions: it signs in with its password alone, or must set up
// codes again if it is an admin and the library requires them. Admin only.
func (s *Service) ResetTOTP(ctx context.Context, by Actor, username string) error {
	if err := by.adminOnly(); err != nil {
		return err
	}
	username = NormalizeUsername(username)
	return s.store.Update(ctx, func(tx Tx) error {
		st, err := tx.StaffByUsername(username)
		if err != nil {
			return err
		}
		st.TOTPSecret = ""
		if err := tx.UpdateStaff(st); err != nil {
			return err
		}
		if err := tx.DeleteStaffSessions(st.ID); err != nil {
			return err
		}
		return s.auditBy(tx, by, 0, "staff.totp.reset", "username "+st.Username)
	})
}
