-- demo-data: the race tables' foreign keys are set aside for the bulk COPY and restored by
-- demodata_fk_restore.sql in the same transaction (as pg_restore does: checking the whole
-- table once is far cheaper than one trigger query per row). Definitions are read from the
-- catalogue, so whatever the migrations say is what comes back; a failed load rolls back
-- with them untouched.
CREATE TEMP TABLE demo_foreign_keys ON COMMIT DROP AS
SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE contype = 'f'
  AND conrelid IN ('ct_results'::regclass, 'ct_participants'::regclass,
                   'runsignup_participants'::regclass)
ORDER BY conrelid::regclass::text, conname;
DO $$
DECLARE
    fk RECORD;
BEGIN
    FOR fk IN SELECT * FROM demo_foreign_keys LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.table_name, fk.conname);
    END LOOP;
END
$$;
