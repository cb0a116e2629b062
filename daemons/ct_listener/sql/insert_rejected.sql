INSERT INTO timing_rejected_reads
    (session_id, sequence_number, location_name, reason, raw_data)
VALUES %s
ON CONFLICT (session_id, sequence_number, location_name) DO NOTHING
