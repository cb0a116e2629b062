-- Reads after a known id, oldest first: paging forward with since=<id>.
-- The listener's single writer commits ids in order, so nothing committed
-- later can appear behind an id a client has already seen.
SELECT t.id, t.session_id, t.location_name, t.tag_code, t.read_time, t.read_timestamp,
       s.session_name, l.description AS location_description,
       round(extract(epoch FROM now() - t.read_timestamp), 3) AS seconds_ago,
       t.raw_data, s.time_zone
FROM timing_reads AS t
JOIN timing_sessions AS s ON s.id = t.session_id
LEFT JOIN timing_locations AS l ON l.id = t.location_id
WHERE t.id > %(since)s
  AND (%(session_id)s::integer IS NULL OR t.session_id = %(session_id)s)
  AND (%(location)s::text IS NULL OR t.location_name = %(location)s)
ORDER BY t.id
LIMIT %(limit)s;
