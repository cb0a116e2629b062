-- demo-data as the tables' owner (no superuser, no BYPASSRLS): COPY FROM is refused on a
-- table whose row-level security applies to the caller, and FORCE applies it to the owner.
-- Whichever of the dataset's tables are FORCEd are lifted inside the load's transaction only,
-- under its ACCESS EXCLUSIVE locks; demodata_rls_force.sql restores exactly those before
-- COMMIT, and a failed load rolls back with them untouched.
CREATE TEMP TABLE demo_forced ON COMMIT DROP AS
SELECT oid::regclass::text AS table_name
FROM pg_class
WHERE relforcerowsecurity
  AND oid IN ('timing_partners'::regclass, 'providers'::regclass, 'users'::regclass,
              'timing_partner_haku_orgs'::regclass, 'partner_provider_credentials'::regclass,
              'ct_events'::regclass, 'ct_races'::regclass, 'ct_participants'::regclass,
              'ct_results'::regclass, 'event_weather'::regclass, 'events'::regclass,
              'runsignup_events'::regclass, 'runsignup_races'::regclass,
              'runsignup_participants'::regclass, 'raceroster_events'::regclass,
              'sync_history'::regclass, 'sync_queue'::regclass);
DO $$
DECLARE
    forced RECORD;
BEGIN
    FOR forced IN SELECT * FROM demo_forced LOOP
        EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', forced.table_name);
    END LOOP;
END
$$;
