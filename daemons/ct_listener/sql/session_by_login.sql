-- The active session a CTP01 login is routed to (project88 session new --login);
-- timing_sessions_active_login keeps it to one.
SELECT id, session_name, start_time, time_zone
FROM timing_sessions
WHERE status = 'active' AND login = %(login)s
