-- The same buffer came back under another owner (a restarted program keeps its
-- buffer but gets a new connection id): the stream is now theirs.
UPDATE timing_location_streams
SET owner_user = %(user)s, connection_id = %(connection_id)s, client_ip = %(ip)s,
    claimed_at = CURRENT_TIMESTAMP
WHERE session_id = %(session)s AND location_name = %(location)s AND stream_number = %(stream)s
