package library

import (
	"context"
	"strings"
	"time"
)

// SIPAccount is a machine that speaks SIP2 to the library: a self-check
// kiosk, a security gate, a PC-booking system or an e-resource proxy. Its
// password is kept only as an argon2id hash.
type SIPAccount struct {
	ID    int64
	Login string // the SIP2 login user id (CN)
	// Institution is the SIP2 institution id (AO) the machine belongs to.
	Institution string
	// Location is the machine's location code (CP), shown in the audit log.
	Location     string
	PasswordHash string
	// LoginRequired is true for every machine that logs in with 93 first.
	// False lets a legacy kiosk that never logs in use the account: its
	// connection is bound by the institution id of its first request.
	LoginRequired bool
	CreatedAt     time.Time
}

// Actor names the account in the audit log.
func (a SIPAccount) Actor() string { return "sip2:" + a.Login }

// ErrSIPLoginFailed is the one answer to an unknown SIP login and a wrong
// SIP password.
var ErrSIPLoginFailed = &Error{Code: EUNAUTHORIZED, Message: "SIP2 login or password not right"}

// AddSIPAccount creates a SIP2 account, hashing its password. A login that
// already exists gives ECONFLICT.
func (s *Service) AddSIPAccount(ctx context.Context, a SIPAccount, password string) (SIPAccount, error) {
	a.Login = strings.TrimSpace(a.Login)
	a.Institution = strings.TrimSpace(a.Institution)
	a.Location = strings.TrimSpace(a.Location)
	switch {
	case a.Login == "" || strings.ContainsAny(a.Login, "|\r\n"):
		return SIPAccount{}, Errorf(EINVALID, "a SIP2 login must not be empty or hold | or line breaks")
	case a.Institution == "" || strings.ContainsAny(a.Institution, "|\r\n"):
		return SIPAccount{}, Errorf(EINVALID, "a SIP2 institution id must not be empty or hold | or line breaks")
	case strings.ContainsAny(a.Location, "|\r\n"):
		return SIPAccount{}, Errorf(EINVALID, "a SIP2 location code must not hold | or line breaks")
	case password == "":
		return SIPAccount{}, Errorf(EINVALID, "a SIP2 account needs a password")
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return SIPAccount{}, err
	}
	a.PasswordHash, a.CreatedAt = hash, s.now()
	err = s.store.Update(ctx, func(tx Tx) error {
		a.ID = 0
		if err := tx.CreateSIPAccount(&a); err != nil {
			if IsCode(err, ECONFLICT) {
				return Errorf(ECONFLICT, "SIP2 account %q already exists", a.Login)
			}
			return err
		}
		return s.audit(tx, "system", 0, "sip2.account.add", "login "+a.Login+" institution "+a.Institution)
	})
	return a, err
}

// SIPLogin checks a SIP2 login and password (message 93). An unknown login
// costs the same hash as a wrong password and gives the same
// ErrSIPLoginFailed.
func (s *Service) SIPLogin(ctx context.Context, login, password string) (SIPAccount, error) {
	var a SIPAccount
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		a, err = tx.SIPAccountByLogin(login)
		return err
	})
	found := err == nil
	if err != nil && !IsCode(err, ENOTFOUND) {
		return SIPAccount{}, err
	}
	if !found || password == "" {
		if err := s.hasher.VerifyDummy(ctx, password); err != nil {
			return SIPAccount{}, err
		}
		return SIPAccount{}, ErrSIPLoginFailed
	}
	ok, err := s.hasher.Verify(ctx, a.PasswordHash, password)
	if err != nil {
		return SIPAccount{}, err
	}
	if !ok {
		return SIPAccount{}, ErrSIPLoginFailed
	}
	return a, nil
}

// SIPAccountWithoutLogin returns the account a machine that never logs in
// uses for the given institution id: the oldest one with LoginRequired
// false. It gives ENOTFOUND when there is none.
func (s *Service) SIPAccountWithoutLogin(ctx context.Context, institution string) (SIPAccount, error) {
	var a SIPAccount
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		a, err = tx.SIPAccountWithoutLogin(institution)
		return err
	})
	return a, err
}
