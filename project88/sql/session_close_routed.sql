-- session close --login USER / --slug SLUG: the active session so named.
UPDATE timing_sessions
SET status = 'closed', end_time = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP
WHERE status = 'active'
  AND (login = %(login)s OR slug = %(slug)s)
RETURNING id, session_name
