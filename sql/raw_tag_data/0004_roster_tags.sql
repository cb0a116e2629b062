-- depends: 0003_archive_function
-- The mats report a tag code, the display wants a runner. Usually the chip is
-- programmed with the bib number, so the code read IS the bib; but a runner
-- may wear a chip that reads otherwise (a spare handed out at packet pickup, a
-- reused chip, a letter-prefixed code like M12). tag_code records that code;
-- NULL means "the chip reads as the bib". UNIQUE because one code read on the
-- mat must name one runner. DEFERRABLE INITIALLY DEFERRED so that a roster
-- import can move a chip from one bib to another (or swap two) in a single
-- transaction: the check runs at commit, not row by row. The constraint is not
-- an ON CONFLICT arbiter (the import upserts by bib), so deferral costs nothing.
-- Uniqueness against other runners' bibs (a tag_code equal to a bib whose own
-- tag_code is NULL) is checked by `project88 roster import` for the whole file.
ALTER TABLE race_roster
    ADD COLUMN tag_code VARCHAR(8),
    ADD CONSTRAINT race_roster_tag_code_key UNIQUE (tag_code) DEFERRABLE INITIALLY DEFERRED;

COMMENT ON COLUMN race_roster.tag_code IS
    'Chip code when it differs from the bib; NULL: the tag code read on the mat is the bib.';
