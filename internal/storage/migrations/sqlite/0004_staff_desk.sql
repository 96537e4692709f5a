-- The staff desk: staff accounts and their sessions, holds, the barcodes a
-- patron's lost cards had, request tokens that make a form submitted twice
-- act once, and the client address in the audit log.

-- A staff account signs in with its username and password (an argon2id PHC
-- string). totp_secret, when set, is the base32 secret of its two-factor
-- codes; totp_pending is a secret being set up and not yet confirmed;
-- totp_last_step is the time step of the last code accepted, so that no
-- code is accepted twice. A disabled account keeps its row for the audit
-- log's sake.
CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    username        TEXT    NOT NULL UNIQUE CHECK (username <> ''),
    name            TEXT    NOT NULL DEFAULT '',
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'desk')),
    password_hash   TEXT    NOT NULL CHECK (password_hash <> ''),
    password_set_at TEXT    NOT NULL,
    totp_secret     TEXT    NULL,
    totp_pending    TEXT    NULL,
    totp_last_step  INTEGER NOT NULL DEFAULT 0 CHECK (totp_last_step >= 0),
    disabled_at     TEXT    NULL,
    created_at      TEXT    NOT NULL
) STRICT;

-- Staff sessions live apart from patron sessions, so a patron's session
-- token is never found where a staff session is looked up. stage is
-- 'active' once sign-in is complete; 'code' while a two-factor code is
-- awaited; 'enrol' while an admin must set up two-factor codes first.
-- AUTOINCREMENT: a deleted session's id must never be handed to a new one.
CREATE TABLE staff_sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   BLOB    NOT NULL UNIQUE CHECK (length(token_hash) > 0),
    staff_id     INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    stage        TEXT    NOT NULL CHECK (stage IN ('active', 'code', 'enrol')),
    csrf_token   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
) STRICT;

CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- The barcodes of a patron's replaced (lost) cards. A barcode here is
-- refused everywhere: no patron may have it again.
CREATE TABLE former_barcodes (
    id          INTEGER PRIMARY KEY,
    patron_id   INTEGER NOT NULL REFERENCES patrons (id),
    barcode     TEXT    NOT NULL UNIQUE CHECK (barcode <> ''),
    replaced_at TEXT    NOT NULL
) STRICT;

CREATE INDEX former_barcodes_by_patron ON former_barcodes (patron_id, id);

-- Holds queue by placed_at, then id. A hold is 'waiting' in the queue,
-- 'trapped' on the hold shelf until pickup_by, then 'fulfilled' (lent),
-- 'cancelled' or 'expired'. patron_id becomes NULL once a hold is closed
-- and old enough, or at once when fulfilled, for the same privacy as loans.
CREATE TABLE holds (
    id         INTEGER PRIMARY KEY,
    patron_id  INTEGER NULL REFERENCES patrons (id),
    item_id    INTEGER NOT NULL REFERENCES items (id),
    state      TEXT    NOT NULL CHECK (state IN ('waiting', 'trapped', 'fulfilled', 'cancelled', 'expired')),
    placed_at  TEXT    NOT NULL,
    trapped_at TEXT    NULL,
    pickup_by  TEXT    NULL,
    closed_at  TEXT    NULL,
    CHECK (patron_id IS NOT NULL OR state NOT IN ('waiting', 'trapped')),
    CHECK (state <> 'trapped' OR (trapped_at IS NOT NULL AND pickup_by IS NOT NULL)),
    CHECK ((closed_at IS NULL) = (state IN ('waiting', 'trapped')))
) STRICT;

-- One open hold per patron and item, and at most one item on the hold
-- shelf per item: the schema refuses a duplicate whatever node asks.
CREATE UNIQUE INDEX holds_one_open_per_patron_item ON holds (patron_id, item_id) WHERE state IN ('waiting', 'trapped');
CREATE UNIQUE INDEX holds_one_trapped_per_item ON holds (item_id) WHERE state = 'trapped';
CREATE INDEX holds_queue ON holds (item_id, placed_at, id) WHERE state = 'waiting';
CREATE INDEX holds_by_patron ON holds (patron_id, id);
CREATE INDEX holds_shelf ON holds (pickup_by) WHERE state = 'trapped';

-- The token of each desk form carried out: the same form submitted twice
-- finds its token taken and changes nothing. Old tokens are swept.
CREATE TABLE desk_requests (
    token      TEXT NOT NULL PRIMARY KEY CHECK (token <> ''),
    action     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX desk_requests_by_created ON desk_requests (created_at);

-- Where each audited request came from; '' when it came from no network
-- (the command line, the periodic jobs).
ALTER TABLE audit_log ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';

CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
CREATE INDEX audit_log_by_at ON audit_log (at);
