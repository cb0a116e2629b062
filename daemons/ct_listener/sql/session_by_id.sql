SELECT id, session_name, start_time
FROM timing_sessions
WHERE id = %(id)s
