-- demo-data: put back the foreign keys demodata_fk_drop.sql set aside (each one validated
-- against every row now in the table).
DO $$
DECLARE
    fk RECORD;
BEGIN
    FOR fk IN SELECT * FROM demo_foreign_keys LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.table_name, fk.conname,
                       fk.definition);
    END LOOP;
END
$$;
DROP TABLE demo_foreign_keys;
