SELECT sequence_number, 'GUNTIME', gun_timestamp, 0, reader_id, 0, raw_data
FROM timing_gun_times
WHERE session_id = %(session)s AND location_name = %(location)s
  AND stream_number = %(stream)s
  AND sequence_number = ANY(%(seqs)s)
