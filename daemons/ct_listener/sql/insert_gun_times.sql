INSERT INTO timing_gun_times
    (session_id, location_id, stream_number, sequence_number, location_name, gun_time, gun_date,
     gun_timestamp, reader_id, raw_data)
VALUES %s
ON CONFLICT (session_id, sequence_number, location_name, stream_number) DO NOTHING
RETURNING id, sequence_number, location_name
