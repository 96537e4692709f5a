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
	// RequirePIN makes Patron Information (63) show a patron's record only
	// to a request that carries the patron's own PIN (AD): without AD, or
	// with it empty, the reply is the one a wrong PIN gets. False trusts
	// the machine to have checked the card, for a gate or a self-check
	// that only scans cards.
	RequirePIN bool
	// Encoding is the character set the machine speaks: SIPEncodingUTF8,
	// SIPEncodingCP850 (SIP2's own default) or SIPEncodingLatin1.
	Encoding  string
	CreatedAt time.Time
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
	enc, err := sipEncoding(a.Encoding)
	if err != nil {
		return SIPAccount{}, err
	}
	a.Encoding = enc
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
		return s.audit(tx, "system", 0, "sip2.account.add", "login "+a.Login+" institution "+a.Institution+" "+a.policy())
	})
	return a, err
}

// Throttle keys of SIP2 logins: per login name, and per client address
// apart from patrons' and staff's "addr:" key, so that patrons mistyping
// PINs behind a branch's one public address never lock its kiosks out.
func sipLoginKey(login string) string { return "sip2:" + login }
func sipAddrKey(addr string) string   { return "sip2addr:" + addr }

// SIPLogin is SIPLoginFrom with no client address: the login name's
// failures alone are counted.
func (s *Service) SIPLogin(ctx context.Context, login, password string) (SIPAccount, error) {
	return s.SIPLoginFrom(ctx, login, password, "")
}

// SIPLoginFrom checks a SIP2 login and password (message 93) from client
// address addr (a host, without port; "" counts the login name alone). An
// unknown login costs the same hash as a wrong password and gives the same
// ErrSIPLoginFailed. Failures count like staff sign-ins: per login name
// (throttle.max_failures) and per address (throttle.addr_max_failures)
// within throttle.window; beyond that the login and the address are paused
// for throttle.lockout, when every login, right or wrong, gives
// *LockedError without any hashing.
//
// Each login counts itself as a failure before its password is checked,
// in the transaction that reads the pauses, as every sign-in does
// (attempt.go): a burst of wrong logins gets no more checks than the
// allowance. Kiosks sharing one login that log in together (after a
// restart) are not paused by one another's reservations: beyond the
// allowance they wait for the checks in flight. A login waits its turn too
// for a place in the hashing line when its address holds its share
// (Hasher.enterInTurn), rather than being answered busy.
func (s *Service) SIPLoginFrom(ctx context.Context, login, password, addr string) (SIPAccount, error) {
	keys := []throttleKey{{sipLoginKey(login), s.cfg.Throttle.MaxFailures}}
	var owners []string
	if addr != "" {
		keys = append(keys, throttleKey{sipAddrKey(addr), s.cfg.Throttle.AddrMaxFailures})
		owners = []string{sipAddrOwner(addr)}
	}
	if !s.checkable(password) {
		return SIPAccount{}, s.refuseUnchecked(ctx, keys, ErrSIPLoginFailed)
	}
	at, a, found, err := beginAttempt(ctx, s, &lineClaim{owners: owners, inTurn: true}, keys,
		func(tx Tx) (SIPAccount, error) { return tx.SIPAccountByLogin(login) })
	if err != nil {
		return SIPAccount{}, err
	}
	defer at.close()
	ctx = at.ctx
	var ok bool
	if found {
		ok, err = at.Verify(ctx, a.PasswordHash, password)
	} else {
		err = at.VerifyDummy(ctx, password)
	}
	if err != nil {
		return SIPAccount{}, err
	}
	if !ok {
		if err := at.fail(func(tx Tx, locked []string) error { return s.auditSIPLoginFailure(tx, a, found, locked) }); err != nil {
			return SIPAccount{}, err
		}
		return SIPAccount{}, ErrSIPLoginFailed
	}
	if err := at.succeed(func(tx Tx) error { return tx.Unlock(sipLoginKey(login)) }); err != nil {
		return SIPAccount{}, err
	}
	return a, nil
}

// auditSIPLoginFailure records the failure of a known account and each
// pause it began in the audit log: never the password, nor the client
// address, nor a login name that matches no account (it may be a password
// typed in the wrong field).
func (s *Service) auditSIPLoginFailure(tx Tx, a SIPAccount, found bool, locked []string) error {
	actor := "sip2"
	if found {
		actor = a.Actor()
		if err := s.audit(tx, actor, 0, "sip2.login.failed", ""); err != nil {
			return err
		}
	}
	until := s.now().Add(s.cfg.Throttle.Lockout.D()).UTC().Format(time.RFC3339)
	for _, key := range locked {
		action, detail := "sip2.login.lockout", "login paused until "+until
		if strings.HasPrefix(key, "sip2addr:") {
			action, detail = "sip2.login.lockout.addr", "client address paused until "+until
		} else if !found {
			action = "sip2.login.lockout.unknown" // the name stays out of the record
		}
		if err := s.audit(tx, actor, 0, action, detail); err != nil {
			return err
		}
	}
	return nil
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
