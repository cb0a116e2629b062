-- Timing points of one session, for the operator's page.
SELECT id, location_name, description, reader_id, created_at
FROM timing_locations
WHERE session_id = %(session_id)s
ORDER BY id;
