-- depends: 0001_results_schema
-- Who may read what. Roles are created here without LOGIN or password; the
-- deployment gives nlq_reader a login and a generated password, and
-- PostgREST's authenticator may switch to web_anon.
--
--   nlq_reader  the natural-language service: SELECT on the results tables,
--               never on users or credentials; every partner-owned row
--               filtered by row-level security.
--   web_anon    PostgREST's anonymous role: providers, the qualifying
--               standards and a public event calendar, nothing else.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nlq_reader') THEN
        CREATE ROLE nlq_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_anon') THEN
        CREATE ROLE web_anon NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO nlq_reader, web_anon;

GRANT SELECT ON timing_partners, providers, timing_partner_haku_orgs, ct_events, ct_races,
    ct_participants, ct_results, event_weather, events, runsignup_events, runsignup_races,
    runsignup_participants, raceroster_events, sync_history, sync_queue,
    boston_qualifying_standards
TO nlq_reader;

-- Row-level security on every partner-owned table. An unset (or empty)
-- partner matches nothing: NULLIF turns '' into NULL and NULL = x is never
-- true. app.all_partners = 'on' is set, per transaction, only for admin keys.
-- FORCE: the owner is filtered too, so nothing reads around the policy by
-- accident.
DO $$
DECLARE
    tbl TEXT;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['partner_provider_credentials',
        'timing_partner_haku_orgs', 'ct_events', 'ct_races', 'ct_participants', 'ct_results',
        'event_weather', 'events', 'runsignup_events', 'runsignup_races',
        'runsignup_participants', 'raceroster_events', 'sync_history', 'sync_queue']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', tbl);
        EXECUTE format(
            'CREATE POLICY partner_isolation ON %I USING ('
            ' timing_partner_id = NULLIF(current_setting(''app.timing_partner_id'', true), '''')::integer'
            ' OR current_setting(''app.all_partners'', true) = ''on'')', tbl);
    END LOOP;
END
$$;

-- timing_partners, like users below, is not FORCEd: nlq_partner_names()
-- runs as the owner and must see every partner's name.
ALTER TABLE timing_partners ENABLE ROW LEVEL SECURITY;
CREATE POLICY partner_isolation ON timing_partners USING (
    id = NULLIF(current_setting('app.timing_partner_id', true), '')::integer
    OR current_setting('app.all_partners', true) = 'on');

-- users: filtered like the rest, but not FORCEd, so that its owner — and so
-- nlq_caller() below, which runs as the owner — can look up any API key. No
-- reader role has any privilege on users.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY partner_isolation ON users USING (
    timing_partner_id = NULLIF(current_setting('app.timing_partner_id', true), '')::integer
    OR current_setting('app.all_partners', true) = 'on');

-- The service learns who is calling from an API key's hash, before it knows
-- the partner, without being able to read users itself.
CREATE FUNCTION nlq_caller(key_sha256 TEXT)
RETURNS TABLE (user_id INTEGER, timing_partner_id INTEGER, role TEXT, full_name TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT u.id, u.timing_partner_id, u.role, u.full_name
    FROM public.users AS u
    WHERE u.api_key_sha256 = key_sha256 AND u.is_active
$$;
REVOKE ALL ON FUNCTION nlq_caller(TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION nlq_caller(TEXT) TO nlq_reader;

-- Partner names are not secret (they are on every results page): the
-- service recognises any of them in a question, so that "I'm from X" with
-- another partner's key gets a clear refusal instead of silently other rows.
CREATE FUNCTION nlq_partner_names()
RETURNS SETOF TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT tp.name FROM public.timing_partners AS tp WHERE tp.is_active ORDER BY tp.name
$$;
REVOKE ALL ON FUNCTION nlq_partner_names() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION nlq_partner_names() TO nlq_reader;

-- PostgREST, anonymous: explicit and minimal.
CREATE VIEW public_event_calendar WITH (security_barrier) AS
    SELECT e.name, e.event_date, e.city, e.state, e.country, e.status, e.website
    FROM ct_events AS e
    WHERE e.status IN ('upcoming', 'active');
GRANT SELECT ON providers, boston_qualifying_standards, public_event_calendar TO web_anon;
