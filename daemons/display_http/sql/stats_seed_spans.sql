-- First and last read per (session, location), for the in-memory statistics.
SELECT session_id, location_name, min(read_timestamp), max(read_timestamp)
FROM timing_reads
WHERE id <= %(upto)s
GROUP BY session_id, location_name;
