-- A session opened by signing in with the barcode preset says so: the
-- forced change of that preset, in the same session, does not ask for the
-- PIN just typed again. The domain still checks, at the change, that the
-- patron is on that preset. Sessions open during the upgrade have not
-- proved anything: 0.
ALTER TABLE sessions ADD COLUMN preset_proved INTEGER NOT NULL DEFAULT 0 CHECK (preset_proved IN (0, 1));
