-- Two-factor secrets sealed at rest. staff.totp_secret now holds the
-- secret sealed with the library's secret key (AES-256-GCM, for its account
-- alone: "v1:KEYID:..."); `carrel serve` seals, in one transaction, any
-- secret still in clear when it starts with the key. A secret being set up
-- travels sealed in the set-up form and is stored only once confirmed, so
-- totp_pending, where each visit to the set-up page kept one in clear, is
-- dropped with what it held.
--
-- key_checks holds a value sealed by the key the first time it is used
-- (name 'secret_key'): a start with another key file opens it or is
-- refused, before any staff member's codes are.
ALTER TABLE staff DROP COLUMN totp_pending;

CREATE TABLE key_checks (
    name   TEXT NOT NULL PRIMARY KEY,
    sealed TEXT NOT NULL
);
