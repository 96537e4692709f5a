-- Carrel's first schema, for SQLite.
--
-- Encodings (see dialect.go): instants are TEXT in UTC, written
-- "2006-01-02T15:04:05.000000Z" so that text order is time order and SQL can
-- compare them; calendar days are TEXT "YYYY-MM-DD"; a missing instant or day
-- is NULL; money is INTEGER cents. STRICT makes SQLite refuse a value of the
-- wrong type instead of silently storing it.

CREATE TABLE patrons (
    id             INTEGER PRIMARY KEY,
    barcode        TEXT    NOT NULL UNIQUE CHECK (barcode <> ''),
    category       TEXT    NOT NULL DEFAULT '',
    name           TEXT    NOT NULL DEFAULT '',
    email          TEXT    NOT NULL DEFAULT '',
    registered_on  TEXT    NULL,
    expires_on     TEXT    NULL,
    blocked_reason TEXT    NOT NULL DEFAULT '',
    pin_kind       TEXT    NOT NULL CHECK (pin_kind IN ('none', 'preset', 'temporary', 'chosen')),
    pin_hash       TEXT    NULL,
    pin_set_at     TEXT    NULL,
    pin_expires_at TEXT    NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
) STRICT;

CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    barcode     TEXT    NOT NULL UNIQUE CHECK (barcode <> ''),
    title       TEXT    NOT NULL DEFAULT '',
    author      TEXT    NOT NULL DEFAULT '',
    call_number TEXT    NOT NULL DEFAULT '',
    location    TEXT    NOT NULL DEFAULT '',
    withdrawn   INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1))
) STRICT;

-- patron_id becomes NULL when a returned loan is unlinked from the patron for
-- privacy; an open loan always has its patron.
CREATE TABLE loans (
    id             INTEGER PRIMARY KEY,
    patron_id      INTEGER NULL REFERENCES patrons (id),
    item_id        INTEGER NOT NULL REFERENCES items (id),
    checked_out_at TEXT    NOT NULL,
    due_at         TEXT    NOT NULL,
    renewals       INTEGER NOT NULL DEFAULT 0 CHECK (renewals >= 0),
    returned_at    TEXT    NULL,
    CHECK (patron_id IS NOT NULL OR returned_at IS NOT NULL)
) STRICT;

-- At most one open loan per item: the schema itself refuses to lend an item
-- twice, whatever node or entrance tries.
CREATE UNIQUE INDEX loans_one_open_per_item ON loans (item_id) WHERE returned_at IS NULL;

-- A patron's open loans in the order the borrowing record shows them.
CREATE INDEX loans_open_by_patron ON loans (patron_id, due_at, id) WHERE returned_at IS NULL;

-- The fine ledger is append-only: the balance is charges minus payments and waivers.
CREATE TABLE fines (
    id           INTEGER PRIMARY KEY,
    patron_id    INTEGER NOT NULL REFERENCES patrons (id),
    loan_id      INTEGER NULL REFERENCES loans (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('charge', 'payment', 'waiver')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    note         TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL
) STRICT;

CREATE INDEX fines_by_patron ON fines (patron_id);

-- AUTOINCREMENT: a deleted session's id must never be handed to a new one.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   BLOB    NOT NULL UNIQUE CHECK (length(token_hash) > 0),
    patron_id    INTEGER NOT NULL REFERENCES patrons (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
) STRICT;

CREATE INDEX sessions_by_patron ON sessions (patron_id);

-- AUTOINCREMENT: a pending attempt is deleted by id when it succeeds, so an id
-- freed by Unlock must not be reused by a newer failure.
CREATE TABLE signin_failures (
    id  INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT    NOT NULL,
    at  TEXT    NOT NULL
) STRICT;

CREATE INDEX signin_failures_by_key ON signin_failures (key, at);
CREATE INDEX signin_failures_by_at ON signin_failures (at);

CREATE TABLE signin_locks (
    key          TEXT NOT NULL PRIMARY KEY,
    locked_until TEXT NOT NULL
) STRICT;

-- patron_id has no foreign key: the audit log outlives what it describes.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    patron_id INTEGER NULL,
    action    TEXT    NOT NULL,
    detail    TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_log_by_patron ON audit_log (patron_id, id);
