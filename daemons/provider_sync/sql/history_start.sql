INSERT INTO sync_history (timing_partner_id, provider_id, started_at, status, job_type,
                          provider_scope, sync_queue_id)
VALUES (%(partner)s, %(provider)s, now(), 'running', %(kind)s, %(event)s, %(job)s)
RETURNING id
