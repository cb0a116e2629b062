SELECT s.id, s.session_name, COALESCE(s.event_name, ''), s.status, s.start_time, s.end_time,
       (SELECT count(*) FROM timing_reads r WHERE r.session_id = s.id) AS reads,
       s.login, s.slug, s.time_zone
FROM timing_sessions s
ORDER BY s.id DESC
LIMIT %(limit)s
