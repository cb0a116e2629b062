-- Every sequence number of one (session, location, stream) that is durably ours, in
-- whichever table it landed: the listener's gap-free mark is computed from it.
SELECT sequence_number FROM timing_reads
WHERE session_id = %(session)s AND location_name = %(location)s AND stream_number = %(stream)s
UNION
SELECT sequence_number FROM timing_gun_times
WHERE session_id = %(session)s AND location_name = %(location)s AND stream_number = %(stream)s
UNION
SELECT sequence_number FROM timing_rejected_reads
WHERE session_id = %(session)s AND location_name = %(location)s AND stream_number = %(stream)s
UNION
SELECT sequence_number FROM timing_reads_archive
WHERE session_id = %(session)s AND location_name = %(location)s AND stream_number = %(stream)s
