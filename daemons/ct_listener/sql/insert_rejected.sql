INSERT INTO timing_rejected_reads
    (session_id, stream_number, sequence_number, location_name, reason, raw_data)
VALUES %s
ON CONFLICT (session_id, sequence_number, location_name, stream_number) DO NOTHING
