-- The automatic session (no login routed to it): what `session close` without a
-- choice, and `session new` without --login, close. Races with a login stay open.
UPDATE timing_sessions
SET status = 'closed', end_time = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP
WHERE status = 'active' AND login IS NULL
RETURNING id, session_name
