package library

import (
	"context"
	"crypto/subtle"
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
// show as a QR code. Show it once, to that staff member only.
type TOTPSetup struct {
	Secret string
	URL    string
}

// BeginTOTP starts setting up two-factor codes for the account of the
// session with token (active, or at StageEnrol). It replaces any set-up
// not yet confirmed; the account's current codes, if any, keep working
// until ConfirmTOTP.
func (s *Service) BeginTOTP(ctx context.Context, token string) (TOTPSetup, error) {
	_, st, err := s.staffSession(ctx, token, StageActive, StageEnrol)
	if err != nil {
		return TOTPSetup{}, err
	}
	issuer := s.cfg.LibraryName
	if issuer == "" {
		issuer = "Carrel"
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: st.Username,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPSetup{}, Errorf(EINTERNAL, "two-factor secret: %v", err)
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.StaffByID(st.ID)
		if err != nil {
			return err
		}
		cur.TOTPPending = key.Secret()
		return tx.UpdateStaff(cur)
	})
	if err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP finishes the set-up begun by BeginTOTP with a code from the
// authenticator: from then on the account signs in with codes. The session
// is replaced by a new active one, with a new token, so that a session at
// StageEnrol becomes a signed-in one. A wrong code gives ErrCodeWrong and
// changes nothing.
func (s *Service) ConfirmTOTP(ctx context.Context, token, code, addr string) (StaffSignedIn, error) {
	_, st, err := s.staffSession(ctx, token, StageActive, StageEnrol)
	if err != nil {
		return StaffSignedIn{}, err
	}
	step, ok := totpStep(st.TOTPPending, code, s.now())
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
		if cur.TOTPPending != st.TOTPPending {
			return ErrCodeWrong // another set-up began meanwhile
		}
		cur.TOTPSecret, cur.TOTPPending, cur.TOTPLastStep = cur.TOTPPending, "", step
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
		st.TOTPSecret, st.TOTPPending = "", ""
		if err := tx.UpdateStaff(st); err != nil {
			return err
		}
		if err := tx.DeleteStaffSessions(st.ID); err != nil {
			return err
		}
		return s.auditBy(tx, by, 0, "staff.totp.reset", "username "+st.Username)
	})
}
