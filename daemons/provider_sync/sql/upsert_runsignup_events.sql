INSERT INTO runsignup_events AS t (id, timing_partner_id, name, event_date, city, state,
                                   registration_opens, registration_closes)
SELECT r.id, %(partner)s, r.name, r.event_date, r.city, r.state, r.registration_opens,
       r.registration_closes
FROM json_to_recordset(%(rows)s::json) AS r(id bigint, name text, event_date date, city text,
    state text, registration_opens date, registration_closes date)
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, event_date = EXCLUDED.event_date, city = EXCLUDED.city,
    state = EXCLUDED.state, registration_opens = EXCLUDED.registration_opens,
    registration_closes = EXCLUDED.registration_closes
WHERE (t.name, t.event_date, t.city, t.state, t.registration_opens, t.registration_closes)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.event_date, EXCLUDED.city, EXCLUDED.state,
                        EXCLUDED.registration_opens, EXCLUDED.registration_closes)
RETURNING t.id
