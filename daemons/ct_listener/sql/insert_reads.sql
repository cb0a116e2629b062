INSERT INTO timing_reads
    (id, session_id, location_id, stream_number, sequence_number, location_name, tag_code, read_time,
     read_date, read_timestamp, lap_count, reader_id, gator_number, raw_data)
SELECT id, session_id, location_id, stream_number, sequence_number, location_name, tag_code, read_time,
       read_date, read_timestamp, lap_count, reader_id, gator_number, raw_data
FROM incoming_reads
ORDER BY id
ON CONFLICT (session_id, sequence_number, location_name, stream_number) DO NOTHING
RETURNING id, sequence_number, location_name
