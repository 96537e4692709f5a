package library

import (
	"context"
	"time"
)

// StaffStage is how far a staff sign-in has got.
type StaffStage string

// The stages of a staff session. Only an active session reaches the desk.
const (
	// StageActive: signed in; the desk is open to the session.
	StageActive StaffStage = "active"
	// StageCode: the password was right; a two-factor code is awaited
	// (StaffSignInCode).
	StageCode StaffStage = "code"
	// StageEnrol: the password was right, but the library requires admins to
	// use two-factor codes and this one has none: they must set them up
	// (BeginTOTP, ConfirmTOTP) before anything else.
	StageEnrol StaffStage = "enrol"
)

// pendingStageTimeout is how long a session waits for its code or its
// two-factor set-up before the sign-in must start again.
const pendingStageTimeout = 10 * time.Minute

// StaffSession is a staff member's server-side session, apart from patron
// sessions: a patron's token is never looked up among them. Only a hash of
// the token is stored.
type StaffSession struct {
	ID         int64
	TokenHash  []byte
	StaffID    int64
	Stage      StaffStage
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute end, whatever the activity
}

// StaffSignedIn is a new staff session and its token, which goes to the
// staff member's browser and nowhere else. Session.Stage says whether the
// desk is open (StageActive) or a code or a two-factor set-up comes first.
type StaffSignedIn struct {
	Token   string
	Session StaffSession
	Staff   Staff // without its secrets
}

// ErrStaffSignInFailed is the one answer to an unknown username, a wrong
// password and a disabled account.
var ErrStaffSignInFailed = &Error{Code: EUNAUTHORIZED, Message: "username or password not right"}

// ErrCodeWrong says a two-factor code is not right, or was used already.
var ErrCodeWrong = &Error{Code: EUNAUTHORIZED, Message: "two-factor code not right"}

// staffKey is the throttle key of a staff username.
func staffKey(username string) string { return "staff:" + username }

// StaffSignIn checks a username and password typed at client address addr,
// counting failures in the same throttle as patrons' sign-ins (per
// username and per address). When they are right it opens a session,
// whose stage says what comes next: StageActive, or StageCode when the
// account uses two-factor codes, or StageEnrol when it must set them up.
// Every failure gives ErrStaffSignInFailed after the same work; a
// throttled username or address gives *LockedError.
func (s *Service) StaffSignIn(ctx context.Context, usernameInput, password, addr string) (StaffSignedIn, error) {
	username := NormalizeUsername(usernameInput)
	keys := s.throttleKeys(staffKey(username), addr)
	if !s.checkable(password) {
		return StaffSignedIn{}, s.refuseUnchecked(ctx, keys, ErrStaffSignInFailed)
	}
	// The place in the hashing line comes first, as for patrons: a sign-in
	// turned away as busy has checked no password and counts nothing.
	a, st, found, err := beginAttempt(ctx, s, &lineClaim{owners: clientOwners(addr)}, keys,
		func(tx Tx) (Staff, error) { return tx.StaffByUsername(username) })
	if err != nil {
		return StaffSignedIn{}, err
	}
	defer a.close()
	ctx = a.ctx
	ok, err := s.checkStaffPasswordHash(ctx, a, st, found, password)
	if err != nil {
		return StaffSignedIn{}, err
	}
	by := st.Actor(addr)
	if !ok {
		err := a.fail(func(tx Tx, lockedKeys []string) error {
			by := by
			if found {
				if err := s.auditBy(tx, by, 0, "staff.signin.failed", ""); err != nil {
					return err
				}
			} else {
				// The typed username may be a password in the wrong field:
				// it is never recorded.
				by = Actor{Name: "staff", Addr: addr}
			}
			return s.auditLockouts(tx, by, lockedKeys, found, 0)
		})
		if err != nil {
			return StaffSignedIn{}, err
		}
		return StaffSignedIn{}, ErrStaffSignInFailed
	}
	stage := StageActive
	switch {
	case st.HasTOTP():
		stage = StageCode
	case st.Role == RoleAdmin && s.cfg.Staff.RequireTOTPForAdmins:
		stage = StageEnrol
	}
	var out StaffSignedIn
	err = a.succeed(func(tx Tx) error {
		if err := tx.Unlock(staffKey(username)); err != nil {
			return err
		}
		var err error
		if out, err = s.openStaffSession(tx, st, stage); err != nil {
			return err
		}
		action := "staff.signin"
		if stage != StageActive {
			action = "staff.signin.password" // the code or set-up is still to come
		}
		return s.auditBy(tx, by, 0, action, "")
	})
	return out, err
}

// checkStaffPasswordHash reports whether password is the account's. It does
// one argon2id verification whatever the case, like verifyPIN.
func (s *Service) checkStaffPasswordHash(ctx context.Context, h secretChecker, st Staff, found bool, password string) (bool, error) {
	if password == "" || pinTooLong(password, s.cfg.PIN.MaxLength) {
		return false, nil
	}
	if !found || st.Disabled() {
		return false, h.VerifyDummy(ctx, password)
	}
	return h.Verify(ctx, st.PasswordHash, password)
}

// openStaffSession creates a session with a new random token for st. A
// session short of active lasts only pendingStageTimeout.
func (s *Service) openStaffSession(tx Tx, st Staff, stage StaffStage) (StaffSignedIn, error) {
	now := s.now()
	token := newToken()
	end := now.Add(s.cfg.Staff.AbsoluteTimeout.D())
	if stage != StageActive {
		end = now.Add(pendingStageTimeout)
	}
	sess := StaffSession{TokenHash: TokenHash(token), StaffID: st.ID, Stage: stage, CSRFToken: newToken(),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: end}
	if err := tx.CreateStaffSession(&sess); err != nil {
		return StaffSignedIn{}, err
	}
	return StaffSignedIn{Token: token, Session: sess, Staff: st.public()}, nil
}

// staffSession loads the session with token and its account, and checks it
// is alive and at one of the given stages; anything else is ErrNoSession.
// The account is returned with its secrets, for the Service's own use.
func (s *Service) staffSession(ctx context.Context, token string, stages ...StaffStage) (StaffSession, Staff, error) {
	if token == "" {
		return StaffSession{}, Staff{}, ErrNoSession
	}
	now := s.now()
	var sess StaffSession
	var st Staff
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if sess, err = tx.StaffSessionByTokenHash(TokenHash(token)); err != nil {
			return err
		}
		st, err = tx.StaffByID(sess.StaffID)
		return err
	})
	if IsCode(err, ENOTFOUND) {
		return StaffSession{}, Staff{}, ErrNoSession
	}
	if err != nil {
		return StaffSession{}, Staff{}, err
	}
	stageOK := false
	for _, stage := range stages {
		stageOK = stageOK || sess.Stage == stage
	}
	ended := !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.cfg.Staff.IdleTimeout.D() || st.Disabled()
	if ended {
		_ = s.store.Update(ctx, func(tx Tx) error { return tx.DeleteStaffSession(sess.ID) })
	}
	if ended || !stageOK {
		return StaffSession{}, Staff{}, ErrNoSession
	}
	return sess, st, nil
}

// AuthenticateStaff returns the active staff session for token and its
// account (without secrets), or ErrNoSession when the token is unknown,
// belongs to a patron, is signed out, idle for longer than the staff idle
// timeout (default 60 minutes), past its absolute end (default 12 hours),
// still short of active (a code or two-factor set-up is awaited), or its
// account is disabled. Every staff page calls it; the account's Role is
// current, since a role change ends the sessions.
func (s *Service) AuthenticateStaff(ctx context.Context, token string) (StaffSession, Staff, error) {
	sess, st, err := s.staffSession(ctx, token, StageActive)
	if err != nil {
		return StaffSession{}, Staff{}, err
	}
	if st.Role == RoleAdmin && s.cfg.Staff.RequireTOTPForAdmins && !st.HasTOTP() {
		// Codes became required (or were reset) since this sign-in.
		_ = s.store.Update(ctx, func(tx Tx) error { return tx.DeleteStaffSession(sess.ID) })
		return StaffSession{}, Staff{}, ErrNoSession
	}
	if now := s.now(); now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		sess.LastSeenAt = now
		if err := s.store.Update(ctx, func(tx Tx) error { return tx.TouchStaffSession(sess.ID, now) }); err != nil {
			return StaffSession{}, Staff{}, err
		}
	}
	return sess, st.public(), nil
}

// PendingStaffSession returns a session that awaits a two-factor code
// (StageCode) or set-up (StageEnrol), for the pages that finish the
// sign-in; ErrNoSession otherwise.
func (s *Service) PendingStaffSession(ctx context.Context, token string) (StaffSession, Staff, error) {
	sess, st, err := s.staffSession(ctx, token, StageCode, StageEnrol)
	return sess, st.public(), err
}

// StaffSignInCode finishes a sign-in at StageCode with a two-factor code
// from the staff member's authenticator. Wrong codes count as failed
// sign-ins of the username and address; each code is accepted once. On
// success the pending session is replaced by a new active one, with a new
// token.
func (s *Service) StaffSignInCode(ctx context.Context, token, code, addr string) (StaffSignedIn, error) {
	sess, st, err := s.staffSession(ctx, token, StageCode)
	if err != nil {
		return StaffSignedIn{}, err
	}
	now := s.now()
	keys := s.throttleKeys(staffKey(st.Username), addr)
	// A code costs no hashing: the attempt takes no place in the line, but
	// is counted before the code is checked, like a password.
	a, _, _, err := beginAttempt[struct{}](ctx, s, nil, keys, nil)
	if err != nil {
		return StaffSignedIn{}, err
	}
	defer a.close()
	by := st.Actor(addr)
	// A stored secret that does not open refuses every code, as a wrong
	// code does, and the audit log says why, for an admin to reset it.
	var step int64
	ok := false
	secret, sealErr := s.openTOTPSecret(st)
	if sealErr == nil {
		step, ok = totpStep(secret, code, now)
	}
	a.state = attemptChecked
	var out StaffSignedIn
	err = a.succeed(func(tx Tx) error {
		out = StaffSignedIn{}
		cur, err := tx.StaffByID(st.ID)
		if err != nil {
			return err
		}
		if !ok || step <= cur.TOTPLastStep || cur.TOTPSecret != st.TOTPSecret {
			return errCodeRefused
		}
		cur.TOTPLastStep = step
		if err := tx.UpdateStaff(cur); err != nil {
			return err
		}
		if err := tx.Unlock(staffKey(cur.Username)); err != nil {
			return err
		}
		if err := tx.DeleteStaffSession(sess.ID); err != nil {
			return err
		}
		if out, err = s.openStaffSession(tx, cur, StageActive); err != nil {
			return err
		}
		return s.auditBy(tx, by, 0, "staff.signin", "with two-factor code")
	})
	if err == errCodeRefused {
		err = a.fail(func(tx Tx, lockedKeys []string) error {
			detail := ""
			if sealErr != nil {
				detail = "the stored two-factor secret does not open with the secret key: reset the account's codes"
			}
			if err := s.auditBy(tx, by, 0, "staff.signin.code_failed", detail); err != nil {
				return err
			}
			return s.auditLockouts(tx, by, lockedKeys, false, 0)
		})
		if err == nil {
			err = ErrCodeWrong
		}
	}
	return out, err
}

// errCodeRefused is how a refused code leaves the transaction that checks it.
var errCodeRefused = &Error{Code: EUNAUTHORIZED, Message: "code refused"}

// StaffSignOut ends the staff session with the given token, whatever its
// stage. Ending an unknown session is not an error.
func (s *Service) StaffSignOut(ctx context.Context, token, addr string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.StaffSessionByTokenHash(TokenHash(token))
		if IsCode(err, ENOTFOUND) {
			return nil
		}
		if err != nil {
			return err
		}
		st, err := tx.StaffByID(sess.StaffID)
		if err != nil {
			return err
		}
		if err := tx.DeleteStaffSession(sess.ID); err != nil {
			return err
		}
		return s.auditBy(tx, st.Actor(addr), 0, "staff.signout", "")
	})
}
