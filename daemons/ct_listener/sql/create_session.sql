-- The partial unique index timing_sessions_one_active makes this a no-op when
-- another process opened a session first; the caller then reads that one.
INSERT INTO timing_sessions (session_name, event_name, status, time_zone)
VALUES (%(name)s, %(event)s, 'active', %(zone)s)
ON CONFLICT (status) WHERE status = 'active' DO NOTHING
RETURNING id, session_name, start_time
