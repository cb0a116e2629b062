-- A new stream for a location; a concurrent opener of the same number loses (no row).
INSERT INTO timing_location_streams
    (session_id, location_name, stream_number, owner_user, connection_id, client_ip, reason)
VALUES (%(session)s, %(location)s, %(stream)s, %(user)s, %(connection_id)s, %(ip)s, %(reason)s)
ON CONFLICT DO NOTHING
RETURNING stream_number
