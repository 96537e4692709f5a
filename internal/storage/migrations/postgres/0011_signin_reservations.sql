-- As migrations/sqlite/0011_signin_reservations.sql: a failure counted
-- before its check is a reservation that counts only until pending_until,
-- unless the check settles it (NULL: settled, counted for the whole
-- window), so a server stopped mid-check leaves nothing that adds up.
ALTER TABLE signin_failures ADD COLUMN pending_until timestamptz;
