-- One job per (partner, provider, kind, event) at a time: an existing queued or
-- running one is the answer (sync_queue_one_active_job), and a queued one is moved
-- forward when this one is due sooner.
WITH added AS (
    INSERT INTO sync_queue (timing_partner_id, provider_id, job_type, payload, priority,
                            scheduled_at, max_retries)
    SELECT %(partner)s, p.id, %(kind)s, jsonb_build_object('event', COALESCE(%(event)s, '')),
           %(priority)s, COALESCE(%(at)s, now()), %(max_retries)s
    FROM providers AS p WHERE p.slug = %(provider)s
    ON CONFLICT (timing_partner_id, provider_id, job_type, (COALESCE(payload->>'event', '')))
        WHERE status IN ('queued', 'running')
    DO UPDATE SET scheduled_at = least(sync_queue.scheduled_at, EXCLUDED.scheduled_at),
                  priority = least(sync_queue.priority, EXCLUDED.priority)
    RETURNING id, status, xmax = 0 AS inserted
)
SELECT id, status, inserted FROM added
