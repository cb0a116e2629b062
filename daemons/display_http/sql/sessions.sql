SELECT id, session_name, event_name, status, created_at, start_time, end_time,
       login, time_zone, slug
FROM timing_sessions
WHERE (%(status)s::text IS NULL OR status = %(status)s)
  AND (%(session_id)s::integer IS NULL OR id = %(session_id)s)
ORDER BY id DESC
LIMIT %(limit)s;
