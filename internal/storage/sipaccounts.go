package storage

import "github.com/carrel-library/carrel/internal/library"

const sipAccountColumns = `id, login, institution, location, password_hash, login_required, created_at`

// scanSIPAccount reads a row of sipAccountColumns.
func scanSIPAccount(s scanner) (library.SIPAccount, error) {
	var a library.SIPAccount
	err := s.Scan(&a.ID, &a.Login, &a.Institution, &a.Location, &a.PasswordHash, &a.LoginRequired, timeCol{&a.CreatedAt})
	return a, err
}

// CreateSIPAccount implements library.Tx.
func (t *tx) CreateSIPAccount(a *library.SIPAccount) error {
	id, err := t.insert(`INSERT INTO sip_accounts (login, institution, location, password_hash, login_required, created_at)
VALUES ($1, $2, $3, $4, $5, $6)`, a.Login, a.Institution, a.Location, a.PasswordHash, a.LoginRequired, timeArg(a.CreatedAt))
	if err == nil {
		a.ID = id
	}
	return wrap(err, "create SIP2 account")
}

// SIPAccountByLogin implements library.Tx.
func (t *tx) SIPAccountByLogin(login string) (library.SIPAccount, error) {
	a, err := scanSIPAccount(t.queryRow(`SELECT `+sipAccountColumns+` FROM sip_accounts WHERE login = $1`, login))
	return a, wrap(err, "SIP2 account by login")
}

// SIPAccountWithoutLogin implements library.Tx. The partial index
// sip_accounts_without_login answers it.
func (t *tx) SIPAccountWithoutLogin(institution string) (library.SIPAccount, error) {
	a, err := scanSIPAccount(t.queryRow(`SELECT `+sipAccountColumns+` FROM sip_accounts
WHERE institution = $1 AND login_required = $2
ORDER BY id LIMIT 1`, institution, false))
	return a, wrap(err, "SIP2 account without login")
}
