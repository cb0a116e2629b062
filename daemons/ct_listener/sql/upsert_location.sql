INSERT INTO timing_locations (session_id, location_name, reader_id)
VALUES (%(session)s, %(location)s, NULLIF(%(reader)s, ''))
ON CONFLICT (session_id, location_name)
DO UPDATE SET reader_id = COALESCE(timing_locations.reader_id, EXCLUDED.reader_id)
RETURNING id
