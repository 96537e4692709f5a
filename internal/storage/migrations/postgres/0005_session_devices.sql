-- The patron's list of signed-in devices, as
-- migrations/sqlite/0005_session_devices.sql: a random public id per session,
-- by which the patron ends it from another device, and a coarse device
-- label of fixed words; never the User-Agent or the address.
ALTER TABLE sessions ADD COLUMN public_id text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN device text NOT NULL DEFAULT '';
UPDATE sessions SET public_id = replace(gen_random_uuid()::text, '-', '');
ALTER TABLE sessions ADD CONSTRAINT sessions_public_id_set CHECK (public_id <> '');
CREATE UNIQUE INDEX sessions_by_public_id ON sessions (public_id);
