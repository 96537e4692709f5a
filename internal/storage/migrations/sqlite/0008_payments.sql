-- A payment is money received, and a waiver is not: the cash-up at the end
-- of the day counts each desk account's payments by method against its
-- till, its card terminal's settlement and the online statement. So each
-- payment now says how it was paid (method), carries its receipt number
-- (the till's or terminal's slip number, the online reference, a SIP2
-- kiosk's transaction id, or the number Carrel gives a cash payment
-- without one), and both payments and waivers name the account that took
-- them (taken_by, as the audit log names actors: 'staff:dee',
-- 'sip2:kiosk-1').
--
-- A payment always has a method, and anything else never has one; a
-- receipt number belongs to a payment; a payment by a known method always
-- has one. Payments recorded before this migration said nothing of how
-- they were paid, and nobody can tell now: they are 'unrecorded', with no
-- receipt and no account, and the cash-up lists them apart.
--
-- A receipt number is recorded once per patron (fines_receipt_once): the
-- same slip typed in twice, or a kiosk's Fee Paid sent again, cannot pay
-- twice, whatever node or connection it comes in on.
--
-- SQLite cannot add a table constraint to a table, so the table is built
-- again with them, rows and ids as they were.
CREATE TABLE fines_new (
    id           INTEGER PRIMARY KEY,
    patron_id    INTEGER NOT NULL REFERENCES patrons (id),
    loan_id      INTEGER NULL REFERENCES loans (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('charge', 'payment', 'waiver')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    note         TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    method       TEXT    NOT NULL DEFAULT '' CHECK (method IN ('', 'cash', 'card', 'online', 'unrecorded')),
    receipt      TEXT    NOT NULL DEFAULT '',
    taken_by     TEXT    NOT NULL DEFAULT '',
    CHECK ((kind = 'payment') = (method <> '')),
    CHECK (kind = 'payment' OR receipt = ''),
    CHECK (method IN ('', 'unrecorded') OR receipt <> '')
) STRICT;

INSERT INTO fines_new (id, patron_id, loan_id, kind, amount_cents, note, created_at, method)
SELECT id, patron_id, loan_id, kind, amount_cents, note, created_at,
       CASE WHEN kind = 'payment' THEN 'unrecorded' ELSE '' END
FROM fines ORDER BY id;

DROP TABLE fines;
ALTER TABLE fines_new RENAME TO fines;

CREATE INDEX fines_by_patron ON fines (patron_id);
CREATE UNIQUE INDEX fines_receipt_once ON fines (patron_id, receipt) WHERE receipt <> '';
-- The cash-up reads a day's payments and waivers.
CREATE INDEX fines_taken ON fines (created_at) WHERE kind <> 'charge';
