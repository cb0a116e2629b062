-- A job taken over after its lease ran out: the run that held it is over (its daemon
-- was killed or lost the database); its history row says so instead of 'running'.
UPDATE sync_history
SET status = 'failed', finished_at = clock_timestamp(),
    error = 'interrupted: the daemon running it stopped before it ended; it ran again'
WHERE sync_queue_id = %(job)s AND status = 'running'
