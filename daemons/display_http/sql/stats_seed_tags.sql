-- Reads per (session, location, tag), read in pages through a named cursor:
-- seeds the in-memory statistics (statsbook.py).
SELECT session_id, location_name, tag_code, count(*)
FROM timing_reads
WHERE id <= %(upto)s
GROUP BY session_id, location_name, tag_code;
