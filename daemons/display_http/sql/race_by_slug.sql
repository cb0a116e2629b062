-- /e/<slug>/: the race a readable URL names. An active session holds its slug alone
-- (timing_sessions_active_slug); once it is closed, the newest that had the slug.
SELECT id, event_name, session_name, time_zone
FROM timing_sessions
WHERE slug = %(slug)s
ORDER BY status = 'active' DESC, id DESC
LIMIT 1
