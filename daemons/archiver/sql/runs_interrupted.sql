-- Runs left 'running' by an archiver that is gone: no session holds their lock any more.
UPDATE archiver_runs
SET outcome = 'interrupted',
    finished_at = now(),
    summary = summary || '{"error": "the archiver stopped before this run ended"}'
WHERE outcome = 'running'
  AND pg_try_advisory_xact_lock(hashtext('project88.archiver_run'), (id % 2147483647)::integer)
RETURNING id, job, started_at;
