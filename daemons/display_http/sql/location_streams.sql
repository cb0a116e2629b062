-- Locations of one session sent by more than one controller buffer (a controller
-- restarted with a fresh buffer, or a second login using the name): each buffer is
-- a stream of its own (migration 0009), and the operator should know.
SELECT location_name, stream_number, owner_user, connection_id, client_ip, reason, opened_at,
       (SELECT count(*) FROM timing_reads r
        WHERE r.session_id = s.session_id AND r.location_name = s.location_name
          AND r.stream_number = s.stream_number) AS read_count
FROM timing_location_streams s
WHERE session_id = %(session_id)s
  AND location_name IN (SELECT location_name FROM timing_location_streams
                        WHERE session_id = %(session_id)s AND stream_number > 1)
ORDER BY location_name, stream_number;
