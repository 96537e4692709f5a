-- A sign-in (or PIN check, or SIP2 login) counts itself as a failure before
-- its secret is checked, so that a burst gets no more checks than the
-- allowance; the check then settles the failure (a wrong secret) or deletes
-- it (a right one). pending_until is set while the failure is such an
-- unsettled reservation: it counts only until then. A server stopped
-- mid-check leaves its reservations unsettled, and they stop counting on
-- their own instead of adding up, restart after restart, to a pause of
-- every kiosk sharing a login. NULL: a settled failure, which counts for
-- the whole window. Every failure recorded before this migration is one.
ALTER TABLE signin_failures ADD COLUMN pending_until TEXT;
