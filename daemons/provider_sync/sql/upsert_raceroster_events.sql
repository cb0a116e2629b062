INSERT INTO raceroster_events AS t (id, timing_partner_id, name, event_date, city, state,
                                    registration_fee)
SELECT r.id, %(partner)s, r.name, r.event_date, r.city, r.state, r.registration_fee
FROM json_to_recordset(%(rows)s::json) AS r(id bigint, name text, event_date date, city text,
    state text, registration_fee numeric)
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, event_date = EXCLUDED.event_date, city = EXCLUDED.city,
    state = EXCLUDED.state, registration_fee = EXCLUDED.registration_fee
WHERE (t.name, t.event_date, t.city, t.state, t.registration_fee)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.event_date, EXCLUDED.city, EXCLUDED.state,
                        EXCLUDED.registration_fee)
RETURNING t.id
