-- A session opened by signing in with the barcode preset says so, as
-- migrations/sqlite/0012_preset_proved.sql: the forced change of that
-- preset, in the same session, does not ask for it again.
ALTER TABLE sessions ADD COLUMN preset_proved boolean NOT NULL DEFAULT false;
