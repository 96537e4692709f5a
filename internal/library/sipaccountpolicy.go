package library

import (
	"context"
	"strings"
)

// The character sets a SIP2 machine may speak. SIP2 2.00 names code page
// 850 as its default; many newer machines send UTF-8, which is what
// Carrel stores, and some send ISO 8859-1.
const (
	SIPEncodingUTF8   = "utf-8"
	SIPEncodingCP850  = "cp850"
	SIPEncodingLatin1 = "latin1"
)

// sipEncoding checks the name of a SIP2 character set, in any case; an
// empty name is UTF-8, what Carrel speaks when told nothing.
func sipEncoding(name string) (string, error) {
	switch n := strings.ToLower(strings.TrimSpace(name)); n {
	case "":
		return SIPEncodingUTF8, nil
	case SIPEncodingUTF8, SIPEncodingCP850, SIPEncodingLatin1:
		return n, nil
	}
	return "", Errorf(EINVALID, "SIP2 encoding %q: want %s, %s or %s", name, SIPEncodingUTF8, SIPEncodingCP850, SIPEncodingLatin1)
}

// policy describes what an account lets its machine do, for the audit log.
func (a SIPAccount) policy() string {
	pin := "require PIN no"
	if a.RequirePIN {
		pin = "require PIN yes"
	}
	return pin + ", encoding " + a.Encoding
}

// SIPAccountChange says what to change of a SIP2 account; a nil field
// stays as it is.
type SIPAccountChange struct {
	RequirePIN *bool
	Encoding   *string
}

// ChangeSIPAccount changes the policy of an existing SIP2 account, in one
// transaction, and records the change in the audit log. A machine already
// connected gets the new policy within a minute (the SIP2 server reads
// a connection's account again that often). An unknown login
// gives ENOTFOUND; a change to what the account already has changes and
// records nothing.
func (s *Service) ChangeSIPAccount(ctx context.Context, login string, ch SIPAccountChange) (SIPAccount, error) {
	if ch.RequirePIN == nil && ch.Encoding == nil {
		return SIPAccount{}, Errorf(EINVALID, "nothing to change in SIP2 account %q", login)
	}
	var enc string
	if ch.Encoding != nil {
		var err error
		if enc, err = sipEncoding(*ch.Encoding); err != nil {
			return SIPAccount{}, err
		}
	}
	var a SIPAccount
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		a, err = tx.SIPAccountByLogin(login)
		if IsCode(err, ENOTFOUND) {
			return Errorf(ENOTFOUND, "no SIP2 account %q", login)
		} else if err != nil {
			return err
		}
		before := a.policy()
		if ch.RequirePIN != nil {
			a.RequirePIN = *ch.RequirePIN
		}
		if ch.Encoding != nil {
			a.Encoding = enc
		}
		if a.policy() == before {
			return nil
		}
		if err := tx.UpdateSIPAccount(a); err != nil {
			return err
		}
		return s.audit(tx, "system", 0, "sip2.account.change", "login "+a.Login+": "+before+" -> "+a.policy())
	})
	if err != nil {
		return SIPAccount{}, err
	}
	return a, nil
}

// SIPAccounts lists every SIP2 account, by login.
func (s *Service) SIPAccounts(ctx context.Context) ([]SIPAccount, error) {
	var as []SIPAccount
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		as, err = tx.SIPAccounts()
		return err
	})
	return as, err
}

// SIPAccountByLogin returns the SIP2 account with the login, or ENOTFOUND.
func (s *Service) SIPAccountByLogin(ctx context.Context, login string) (SIPAccount, error) {
	var a SIPAccount
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		a, err = tx.SIPAccountByLogin(login)
		return err
	})
	return a, err
}
