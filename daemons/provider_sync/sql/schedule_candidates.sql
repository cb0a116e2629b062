-- What the daemon keeps fresh: for every partner with stored credentials of a
-- provider, one partner-wide events job (ChronoTrack and Race Roster list every
-- event), and a participants job per event on the calendar (from yesterday on),
-- each with its start (the earliest race start, else the date at 07:00 UTC) and
-- when that job last ended.
WITH creds AS (
    SELECT c.timing_partner_id, p.id AS provider_id, p.slug
    FROM partner_provider_credentials AS c JOIN providers AS p ON p.id = c.provider_id
    WHERE c.fields_encrypted IS NOT NULL AND p.slug IN ('chronotrack', 'runsignup', 'raceroster')
), wanted AS (
    SELECT c.timing_partner_id, c.slug, 'events' AS kind, '' AS event, NULL::timestamptz AS start
    FROM creds AS c WHERE c.slug IN ('chronotrack', 'raceroster')
    UNION ALL
    SELECT c.timing_partner_id, c.slug, 'participants', e.provider_event_id,
           COALESCE(
             (SELECT min(r.start_time) FROM ct_races r
              WHERE c.slug = 'chronotrack' AND r.event_id::text = e.provider_event_id),
             (SELECT min(r.start_time) FROM runsignup_races r
              WHERE c.slug = 'runsignup' AND r.runsignup_event_id::text = e.provider_event_id),
             e.event_date + time '07:00' AT TIME ZONE 'UTC')
    FROM creds AS c
    JOIN events AS e ON e.timing_partner_id = c.timing_partner_id AND e.provider_id = c.provider_id
    WHERE e.event_date >= current_date - 1 AND e.is_active
)
SELECT w.timing_partner_id, w.slug, w.kind, NULLIF(w.event, ''), w.start,
       (SELECT max(q.updated_at) FROM sync_queue AS q JOIN providers AS p ON p.id = q.provider_id
        WHERE q.timing_partner_id = w.timing_partner_id AND p.slug = w.slug
          AND q.job_type = w.kind AND COALESCE(q.payload->>'event', '') = w.event
          AND q.status IN ('done', 'failed')) AS last_run,
       EXISTS (SELECT FROM sync_queue AS q JOIN providers AS p ON p.id = q.provider_id
               WHERE q.timing_partner_id = w.timing_partner_id AND p.slug = w.slug
                 AND q.job_type = w.kind AND COALESCE(q.payload->>'event', '') = w.event
                 AND q.status IN ('queued', 'running')) AS active
FROM wanted AS w
