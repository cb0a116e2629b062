-- The run's row, held by a session lock on its id until the run is recorded as ended.
WITH run AS (
    INSERT INTO archiver_runs (job, started_at, outcome)
    VALUES (%(job)s, %(started_at)s, 'running')
    RETURNING id
)
SELECT id, pg_advisory_lock(hashtext('project88.archiver_run'), (id %% 2147483647)::integer)
FROM run;
