SELECT id, session_name, start_time
FROM timing_sessions
WHERE status = 'active'
ORDER BY id DESC
LIMIT 1
