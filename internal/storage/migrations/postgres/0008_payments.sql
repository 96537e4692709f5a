-- Payments get a method, a receipt number and the account that took them,
-- waivers the account that recorded them, as
-- migrations/sqlite/0008_payments.sql explains: a payment always has a
-- method and nothing else has one; a receipt belongs to a payment; a
-- payment by a known method has one; a receipt number is recorded once
-- per patron. Payments from before are 'unrecorded'. The receipt compares
-- byte by byte (COLLATE "C"), as on SQLite.
ALTER TABLE fines ADD COLUMN method text NOT NULL DEFAULT '';
ALTER TABLE fines ADD COLUMN receipt text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE fines ADD COLUMN taken_by text NOT NULL DEFAULT '';

UPDATE fines SET method = 'unrecorded' WHERE kind = 'payment';

ALTER TABLE fines
    ADD CONSTRAINT fines_method_known CHECK (method IN ('', 'cash', 'card', 'online', 'unrecorded')),
    ADD CONSTRAINT fines_payment_method CHECK ((kind = 'payment') = (method <> '')),
    ADD CONSTRAINT fines_receipt_on_payments CHECK (kind = 'payment' OR receipt = ''),
    ADD CONSTRAINT fines_payment_receipt CHECK (method IN ('', 'unrecorded') OR receipt <> '');

CREATE UNIQUE INDEX fines_receipt_once ON fines (patron_id, receipt) WHERE receipt <> '';
CREATE INDEX fines_taken ON fines (created_at) WHERE kind <> 'charge';
