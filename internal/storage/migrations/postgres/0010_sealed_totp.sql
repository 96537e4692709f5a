-- Two-factor secrets sealed at rest, as migrations/sqlite/0010_sealed_totp.sql:
-- totp_pending, which held secrets being set up in clear, is dropped; the
-- key check tells a start with another key file.
ALTER TABLE staff DROP COLUMN totp_pending;

CREATE TABLE key_checks (
    name   text NOT NULL PRIMARY KEY,
    sealed text NOT NULL
);
