-- A RunSignUp race's events (5K, 10K…), by RunSignUp's event_id.
INSERT INTO runsignup_races AS t (id, runsignup_event_id, timing_partner_id, name, distance_km,
                                  start_time, registration_fee, participant_cap)
SELECT r.id, r.runsignup_event_id, %(partner)s, r.name, r.distance_km, r.start_time,
       r.registration_fee, r.participant_cap
FROM json_to_recordset(%(rows)s::json) AS r(id bigint, runsignup_event_id bigint, name text,
    distance_km numeric, start_time timestamptz, registration_fee numeric,
    participant_cap integer)
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, distance_km = EXCLUDED.distance_km, start_time = EXCLUDED.start_time,
    registration_fee = EXCLUDED.registration_fee, participant_cap = EXCLUDED.participant_cap
WHERE (t.name, t.distance_km, t.start_time, t.registration_fee, t.participant_cap)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.distance_km, EXCLUDED.start_time,
                        EXCLUDED.registration_fee, EXCLUDED.participant_cap)
RETURNING t.id
