-- One grouped scan that seeds the in-memory statistics (statsbook.py).
SELECT session_id, location_name, tag_code, count(*), min(read_timestamp), max(read_timestamp)
FROM timing_reads
WHERE id <= %(upto)s
GROUP BY session_id, location_name, tag_code;
