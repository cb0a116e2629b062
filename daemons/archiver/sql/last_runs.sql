-- When each job last ran to an end that counts (done or partial), for make-up runs.
SELECT job, max(started_at)
FROM archiver_runs
WHERE outcome IN ('done', 'partial')
GROUP BY job;
