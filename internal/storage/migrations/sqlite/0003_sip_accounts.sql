-- SIP2 accounts: the self-check kiosks, gates, PC-booking systems and
-- proxies that speak SIP2 to the library. The password is kept only as an
-- argon2id PHC string. A kiosk that never logs in (login_required = 0) is
-- bound to the oldest such account of the institution id it sends.
CREATE TABLE sip_accounts (
    id             INTEGER PRIMARY KEY,
    login          TEXT    NOT NULL UNIQUE CHECK (login <> ''),
    institution    TEXT    NOT NULL CHECK (institution <> ''),
    location       TEXT    NOT NULL DEFAULT '',
    password_hash  TEXT    NOT NULL CHECK (password_hash <> ''),
    login_required INTEGER NOT NULL DEFAULT 1 CHECK (login_required IN (0, 1)),
    created_at     TEXT    NOT NULL
) STRICT;

CREATE INDEX sip_accounts_without_login ON sip_accounts (institution, id) WHERE login_required = 0;
