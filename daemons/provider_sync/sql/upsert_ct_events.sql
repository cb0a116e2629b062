-- ChronoTrack events by ChronoTrack's event id. Unchanged rows are not rewritten,
-- so a second run of the same job changes nothing (RETURNING counts real changes).
INSERT INTO ct_events AS t (id, timing_partner_id, name, event_date, end_date, city, state,
                            country, website, status)
SELECT r.id, %(partner)s, r.name, r.event_date, r.end_date, r.city, r.state,
       COALESCE(r.country, 'US'), r.website,
       CASE WHEN r.event_date > current_date THEN 'upcoming'
            WHEN COALESCE(r.end_date, r.event_date) >= current_date THEN 'active'
            ELSE 'completed' END
FROM json_to_recordset(%(rows)s::json) AS r(id bigint, name text, event_date date, end_date date,
                                            city text, state text, country text, website text)
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, event_date = EXCLUDED.event_date, end_date = EXCLUDED.end_date,
    city = EXCLUDED.city, state = EXCLUDED.state, country = EXCLUDED.country,
    website = EXCLUDED.website,
    -- a cancellation recorded here outlives the provider's listing
    status = CASE WHEN t.status = 'cancelled' THEN t.status ELSE EXCLUDED.status END,
    updated_at = now()
WHERE (t.name, t.event_date, t.end_date, t.city, t.state, t.country, t.website, t.status)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.event_date, EXCLUDED.end_date, EXCLUDED.city,
                        EXCLUDED.state, EXCLUDED.country, EXCLUDED.website,
                        CASE WHEN t.status = 'cancelled' THEN t.status ELSE EXCLUDED.status END)
RETURNING t.id
