-- What a blocked patron is told: a configured reason's key, or words staff
-- wrote, and whether the patron sees them (else only "contact staff").
-- blocked_reason stays what staff see. Every block made before this
-- migration tells the patron nothing more than before.
ALTER TABLE patrons ADD COLUMN block_notice_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE patrons ADD COLUMN block_notice_text TEXT NOT NULL DEFAULT '';
ALTER TABLE patrons ADD COLUMN block_notice_shown INTEGER NOT NULL DEFAULT 0 CHECK (block_notice_shown IN (0, 1));
