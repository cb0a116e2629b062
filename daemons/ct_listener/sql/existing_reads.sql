-- Stored content of keys that an insert skipped, to tell a harmless resend
-- from a conflicting one.
SELECT sequence_number, tag_code, read_timestamp, lap_count, reader_id, gator_number, raw_data
FROM timing_reads
WHERE session_id = %(session)s AND location_name = %(location)s
  AND stream_number = %(stream)s
  AND sequence_number = ANY(%(seqs)s)
