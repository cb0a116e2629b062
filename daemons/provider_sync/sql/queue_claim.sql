-- Take the next due job (or one whose daemon died: its lease ran out). SKIP LOCKED:
-- two daemons never wait on, nor take, the same row. The lease is committed at once,
-- so the job is theirs until it ends or the lease runs out unrenewed.
UPDATE sync_queue AS q
SET status = 'running', attempts = q.attempts + 1,
    leased_until = now() + make_interval(secs => %(lease)s), leased_by = %(me)s, updated_at = now()
FROM providers AS p
WHERE p.id = q.provider_id
  AND q.id = (
    SELECT c.id FROM sync_queue AS c JOIN providers AS cp ON cp.id = c.provider_id
    WHERE cp.slug IN ('chronotrack', 'runsignup', 'raceroster')
      AND c.job_type IN ('events', 'participants', 'results', 'roster')
      AND ((c.status = 'queued' AND c.scheduled_at <= now())
           OR (c.status = 'running' AND c.leased_until < now()))
      AND (%(only)s::integer IS NULL OR c.id = %(only)s::integer)
    ORDER BY c.priority, c.scheduled_at, c.id
    LIMIT 1
    FOR UPDATE OF c SKIP LOCKED)
RETURNING q.id, q.timing_partner_id, p.slug, q.provider_id, q.job_type,
          NULLIF(q.payload->>'event', ''), q.attempts, q.max_retries
