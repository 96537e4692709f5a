-- The patron's list of signed-in devices. Each session gets a public id,
-- random and unrelated to its token, by which the patron can end it from
-- another device: the integer id would count every sign-in the library has
-- had, and only the owner's list ever shows a public id. device is a coarse
-- label of fixed words chosen at sign-in ("firefox/windows", "kiosk"; ''
-- when unknown); the User-Agent itself and the address are never stored.
-- Sessions open during the upgrade get a public id here and stay open.
ALTER TABLE sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
UPDATE sessions SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX sessions_by_public_id ON sessions (public_id);
