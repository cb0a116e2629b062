UPDATE timing_sessions
SET status = 'closed', end_time = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP
WHERE id = %(id)s AND status = 'active'
RETURNING id, session_name
