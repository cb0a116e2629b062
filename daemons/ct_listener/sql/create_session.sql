-- The partial unique index timing_sessions_one_automatic makes this a no-op when
-- another process opened the automatic session first; the caller then reads that one.
INSERT INTO timing_sessions (session_name, event_name, status, time_zone)
VALUES (%(name)s, %(event)s, 'active', %(zone)s)
ON CONFLICT (status) WHERE status = 'active' AND login IS NULL DO NOTHING
RETURNING id, session_name, start_time, time_zone
