SELECT id, session_name, start_time, time_zone
FROM timing_sessions
WHERE id = %(id)s
