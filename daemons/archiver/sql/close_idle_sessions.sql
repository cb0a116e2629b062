-- Active sessions without a read for the idle interval (and older than it).
-- The recent-read check walks idx_timing_reads_timestamp over recent reads only.
UPDATE timing_sessions AS s
SET status = 'closed',
    end_time = coalesce(
        (SELECT max(r.read_timestamp) FROM timing_reads AS r WHERE r.session_id = s.id),
        CURRENT_TIMESTAMP),
    updated_at = CURRENT_TIMESTAMP
WHERE s.status = 'active'
  AND s.start_time < CURRENT_TIMESTAMP - %(idle)s::interval
  AND NOT EXISTS (
      SELECT 1 FROM timing_reads AS r
      WHERE r.read_timestamp > CURRENT_TIMESTAMP - %(idle)s::interval
        AND r.session_id = s.id)
RETURNING s.id, s.session_name;
