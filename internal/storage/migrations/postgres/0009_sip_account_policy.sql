-- Each SIP2 account's policy, as migrations/sqlite/0009_sip_account_policy.sql:
-- require_pin (every existing account gets it, secure by default) and the
-- character set the machine speaks (existing accounts keep UTF-8).
ALTER TABLE sip_accounts
    ADD COLUMN require_pin boolean NOT NULL DEFAULT true,
    ADD COLUMN encoding    text    NOT NULL DEFAULT 'utf-8' CHECK (encoding IN ('utf-8', 'cp850', 'latin1'));
