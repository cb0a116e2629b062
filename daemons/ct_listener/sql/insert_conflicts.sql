INSERT INTO timing_read_conflicts
    (session_id, stream_number, sequence_number, location_name, kept_raw_data, offered_raw_data)
VALUES %s
