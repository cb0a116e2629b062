-- The streams of one location in a session, oldest first (migration 0009).
SELECT stream_number, owner_user, connection_id
FROM timing_location_streams
WHERE session_id = %(session)s AND location_name = %(location)s
ORDER BY stream_number
