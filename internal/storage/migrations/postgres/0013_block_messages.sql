-- As migrations/sqlite/0012_block_messages.sql: what a blocked patron is
-- told (a configured reason's key, or staff's own words) and whether the
-- patron sees it; blocked_reason stays what staff see.
ALTER TABLE patrons ADD COLUMN block_notice_reason text NOT NULL DEFAULT '';
ALTER TABLE patrons ADD COLUMN block_notice_text text NOT NULL DEFAULT '';
ALTER TABLE patrons ADD COLUMN block_notice_shown boolean NOT NULL DEFAULT false;
