-- The automatic session: the one active session no login is routed to, where a
-- controller without a routed login (or with no login at all) sends its reads.
SELECT id, session_name, start_time, time_zone
FROM timing_sessions
WHERE status = 'active' AND login IS NULL
ORDER BY id DESC
LIMIT 1
