-- The session a course command names: by id, or by slug (an active one first).
SELECT id, COALESCE(event_name, session_name), status
FROM timing_sessions
WHERE (%(id)s::integer IS NOT NULL AND id = %(id)s)
   OR (%(slug)s::text IS NOT NULL AND slug = %(slug)s)
ORDER BY status = 'active' DESC, id DESC
LIMIT 1
