-- Each SIP2 account's policy (issue 13). require_pin: Patron Information
-- (63) shows a patron's record only with the patron's PIN; every account
-- that exists gets it, secure by default, and a gate that only scans cards
-- is given `carrel sip2 set LOGIN --no-require-pin`. encoding: the
-- character set the machine speaks; existing accounts keep UTF-8, what
-- Carrel spoke until now.
ALTER TABLE sip_accounts ADD COLUMN require_pin INTEGER NOT NULL DEFAULT 1 CHECK (require_pin IN (0, 1));
ALTER TABLE sip_accounts ADD COLUMN encoding TEXT NOT NULL DEFAULT 'utf-8' CHECK (encoding IN ('utf-8', 'cp850', 'latin1'));
