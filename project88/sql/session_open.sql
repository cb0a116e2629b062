-- project88 session new. A second active session for the same login or slug, or a
-- second automatic one (login NULL), fails on the partial unique indexes of
-- migration 0011: the command reports it instead of routing one login two ways.
INSERT INTO timing_sessions
    (session_name, event_name, status, time_zone, login, slug, timing_partner_id)
VALUES (%(name)s, %(event)s, 'active', %(zone)s, %(login)s, %(slug)s, %(partner)s)
RETURNING id, session_name
