-- depends: 0005_archiver
-- The natural-language service answers "what's the current timing data for
-- session 1?" from the raw reads: read-only access for its role (created
-- here too when the results database has not been migrated yet; roles are
-- shared by the cluster's databases).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nlq_reader') THEN
        CREATE ROLE nlq_reader NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO nlq_reader;
GRANT SELECT ON timing_sessions, timing_locations, timing_reads TO nlq_reader;
