-- demo-data as the tables' owner: FORCE row-level security again where
-- demodata_rls_unforce.sql lifted it.
DO $$
DECLARE
    forced RECORD;
BEGIN
    FOR forced IN SELECT * FROM demo_forced LOOP
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', forced.table_name);
    END LOOP;
END
$$;
DROP TABLE demo_forced;
