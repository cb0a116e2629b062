SELECT id, session_name, event_name, status, created_at, start_time, end_time
FROM timing_sessions
WHERE (%(status)s::text IS NULL OR status = %(status)s)
ORDER BY id DESC
LIMIT %(limit)s;
