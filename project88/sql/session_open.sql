INSERT INTO timing_sessions (session_name, event_name, status, time_zone)
VALUES (%(name)s, %(event)s, 'active', %(zone)s)
RETURNING id, session_name
