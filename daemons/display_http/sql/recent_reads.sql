-- The newest reads, newest first (the documented recent-reads shape).
SELECT t.id, t.session_id, t.location_name, t.tag_code, t.read_time, t.read_timestamp,
       s.session_name, l.description AS location_description,
       round(extract(epoch FROM now() - t.read_timestamp), 3) AS seconds_ago,
       t.raw_data, s.time_zone
FROM timing_reads AS t
JOIN timing_sessions AS s ON s.id = t.session_id
LEFT JOIN timing_locations AS l ON l.id = t.location_id
WHERE (%(session_id)s::integer IS NULL OR t.session_id = %(session_id)s)
  AND (%(location)s::text IS NULL OR t.location_name = %(location)s)
ORDER BY t.id DESC
LIMIT %(limit)s;
