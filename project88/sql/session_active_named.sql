-- Active sessions already holding a login or a slug that session new wants.
SELECT id, COALESCE(event_name, session_name), login, slug
FROM timing_sessions
WHERE status = 'active' AND (login = %(login)s OR slug = ANY(%(slugs)s::text[]))
