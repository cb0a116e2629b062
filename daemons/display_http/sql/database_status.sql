-- Server version and the active session, for /api/timing/database-status: the one
-- asked for (a race's address or ?session_id=), else the newest active one.
SELECT current_setting('server_version') AS database_version,
       s.id, s.session_name, s.event_name, s.status, s.start_time, s.created_at
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT id, session_name, event_name, status, start_time, created_at
    FROM timing_sessions
    WHERE (%(session_id)s::integer IS NULL AND status = 'active')
       OR id = %(session_id)s::integer
    ORDER BY id DESC
    LIMIT 1
) AS s ON true;
