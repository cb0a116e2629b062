INSERT INTO ct_races AS t (id, event_id, timing_partner_id, name, distance_km, start_time)
SELECT r.id, r.event_id, %(partner)s, r.name, r.distance_km, r.start_time
FROM json_to_recordset(%(rows)s::json) AS r(id bigint, event_id bigint, name text,
                                            distance_km numeric, start_time timestamptz)
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, distance_km = EXCLUDED.distance_km, start_time = EXCLUDED.start_time
WHERE (t.name, t.distance_km, t.start_time)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.distance_km, EXCLUDED.start_time)
RETURNING t.id
