-- depends: 0007_service_roles
-- A run is recorded when it starts ('running', no finished_at) and updated when it ends,
-- so a run cut short by a crash, a kill or a power cut is still on record. While it runs,
-- its archiver holds a session advisory lock on (archiver run, id); the next archiver to
-- start marks every 'running' row whose lock is free as 'interrupted'.
ALTER TABLE archiver_runs ALTER COLUMN finished_at DROP NOT NULL;
ALTER TABLE archiver_runs ALTER COLUMN finished_at DROP DEFAULT;
COMMENT ON COLUMN archiver_runs.outcome IS
    'running, done, partial, skipped, failed, or interrupted (the archiver stopped mid-run)';
