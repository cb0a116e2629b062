-- The provider-neutral catalogue, one row per (provider, provider's event id).
INSERT INTO events AS t (timing_partner_id, provider_id, provider_event_id, name, event_date,
                         city, state)
SELECT %(partner)s, %(provider)s, r.provider_event_id, r.name, r.event_date, r.city, r.state
FROM json_to_recordset(%(rows)s::json) AS r(provider_event_id text, name text, event_date date,
                                            city text, state text)
ON CONFLICT (provider_id, provider_event_id) DO UPDATE
SET name = EXCLUDED.name, event_date = EXCLUDED.event_date, city = EXCLUDED.city,
    state = EXCLUDED.state, is_active = true
WHERE (t.name, t.event_date, t.city, t.state, t.is_active)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.event_date, EXCLUDED.city, EXCLUDED.state, true)
RETURNING t.id
