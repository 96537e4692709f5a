package storage

import "github.com/carrel-library/carrel/internal/library"

const sipAccountColumns = `id, login, institution, location, password_hash, login_required, require_pin, encoding, created_at`

// scanSIPAccount reads a row of sipAccountColumns.
func scanSIPAccount(s scanner) (library.SIPAccount, error) {
	var a library.SIPAccount
	err := s.Scan(&a.ID, &a.Login, &a.Institution, &a.Location, &a.PasswordHash, &a.LoginRequired,
		&a.RequirePIN, &a.Encoding, timeCol{&a.CreatedAt})
	return a, err
}

// CreateSIPAccount implements library.Tx.
func (t *tx) CreateSIPAccount(a *library.SIPAccount) error {
	id, err := t.insert(`INSERT INTO sip_accounts (login, institution, location, password_hash, login_required, require_pin, encoding, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.Login, a.Institution, a.Location, a.PasswordHash, a.LoginRequired,
		a.RequirePIN, a.Encoding, timeArg(a.CreatedAt))
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

// SIPAccounts implements library.Tx.
func (t *tx) SIPAccounts() ([]library.SIPAccount, error) {
	return queryAll(t, `SELECT `+sipAccountColumns+` FROM sip_accounts ORDER BY login`, scanSIPAccount, "SIP2 accounts")
}

// UpdateSIPAccount implements library.Tx.
func (t *tx) UpdateSIPAccount(a library.SIPAccount) error {
	res, err := t.exec(`UPDATE sip_accounts SET require_pin = $1, encoding = $2 WHERE id = $3`, a.RequirePIN, a.Encoding, a.ID)
	return affectedOne(res, err, "update SIP2 account %d", a.ID)
}
