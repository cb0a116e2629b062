-- depends: 0005_boston_qualifier_flag
-- A partner scope that SQL in the reader's session cannot forge (issue 12).
--
-- Until now the partner_isolation policies (0002) trusted two settings,
-- app.timing_partner_id and app.all_partners = 'on'. Any SQL running as
-- nlq_reader may call set_config(), so one generated statement that got past
-- the guard (daemons/nlq_http/guard.py) could widen itself to every partner:
-- the guard was the only defence. Here the reader roles' scope becomes a
-- signed, per-transaction token that only a holder of a secret key can make.
--
-- The token. In each transaction the service
--   1. asks p88_scope_nonce(): 'backend pid.transaction start in microseconds'
--      (pg_backend_pid(), transaction_timestamp()), which names this one
--      transaction of this one connection;
--   2. signs 'p88-nlq-scope-v1|<scope>|<nonce>' with HMAC-SHA256 under the key
--      (<scope> is a partner id, or '*' for an admin key on the reader pool);
--   3. sets app.nlq_scope = '<scope>:<hex signature>' for the transaction only,
--      and checks that p88_scope_token() gives <scope> back (a wrong key is a
--      clear error in the service, never a silent "no rows").
-- p88_scope_token() (SECURITY DEFINER) recomputes the signature for this
-- transaction's own nonce with the key in p88_scope_key and returns the scope
-- only if they match. So:
--   * forging needs the key: it is in a table only its owner can read (no
--     grant, and row-level security without a policy in case one is ever
--     granted by mistake), never sent to the server by the service, and a
--     wrong guess is just a wrong 256-bit HMAC;
--   * editing a token (another partner id, the same signature) breaks the
--     signature, which covers the scope;
--   * replaying a token fails everywhere but where it was made: another
--     connection has another pid, a later transaction of the same connection
--     another start time. (Tokens can be seen: pg_stat_activity shows a
--     reader's own role's statements, set_config() included.) Nor can a
--     token be kept for later: the service rolls every transaction back,
--     and a rollback undoes session-level set_config() calls too;
--   * calling the verifier directly tells the caller only the scope its own
--     token already grants; it takes no argument to probe with. Signatures
--     are compared as HMACs of both sides, so the comparison's timing says
--     nothing about how much of a guess was right.
--
-- Who needs a token. A role counts as a reader when current_user is, or
-- inherits the privileges of, nlq_reader or web_anon (pg_has_role USAGE):
-- the service's nlq_reader and nlq_admin (which bypasses RLS anyway) and
-- PostgREST's web_anon. For readers the two old settings mean nothing any
-- more. Every other role keeps them as before: the tables' owner inside the
-- SECURITY DEFINER trigger functions of 0005 (current_user is the owner
-- there), the project88 CLI run as the owner (roster import --event-id,
-- demo-data), and writers that work per partner with app.timing_partner_id.
-- Those are trusted programs, not generated SQL, and they could read around
-- a policy in other ways anyway (the owner can lift FORCE). Two things keep
-- that rule from becoming a way around the token:
--   * a reader cannot become another role: nlq_reader is a member of nothing
--     and its connections cannot SET ROLE (tests/integration/test_nlq.py);
--   * a SECURITY DEFINER function runs as its owner, so one that read a
--     FORCEd table for a reader would honour the reader's settings. None
--     does: the only ones a reader may call are nlq_caller() and
--     nlq_partner_names(), which read users and timing_partners (not FORCEd:
--     their owner reads every row whatever the settings), and
--     p88_scope_token(). tests/integration/test_nlq_scope.py keeps that list.
-- A new read-only role must therefore be made a member of nlq_reader (or
-- web_anon); a role that is neither and has SELECT is trusted like a writer.
--
-- The key. This migration stores a random key nobody knows; the deployment
-- then stores the service's own with `project88 scope-key FILE` (as the
-- tables' owner), and hands the same file to nlq-http as the systemd
-- credential scope-key (P88_NLQ_SCOPE_KEY_FILE). Until they agree the service
-- refuses to start, or answers 503 saying so. pg_dump backups (the archiver
-- reads everything) contain the key, like the rest of the data.
--
-- Cost. The policies call the verifier as uncorrelated sub-selects,
-- `(SELECT p88_scope_partner())` and `(SELECT p88_scope_all())`: the planner
-- makes them InitPlans, run once per table of a query, not once per row (the
-- second only when a row of another partner reaches the policy), and in the
-- leader when a plan is parallel (p88_scope_token() is PARALLEL RESTRICTED: a
-- worker has another pid). One verification costs about 8 microseconds. For
-- each row what remains is `timing_partner_id = $1 OR $2 = 'on'`, estimated
-- as the old policy was (see p88_scope_all()), and the service's own partner
-- predicate still drives the index scans. README, "Performance", has the
-- figures.

CREATE TABLE p88_scope_key (
    only_row   BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    secret     BYTEA NOT NULL CHECK (octet_length(secret) >= 32),
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE p88_scope_key IS
    'The key that signs the NL service''s partner scope (migration 0006); owner only';
REVOKE ALL ON p88_scope_key FROM PUBLIC;
ALTER TABLE p88_scope_key ENABLE ROW LEVEL SECURITY;  -- no policy: nobody but the owner
INSERT INTO p88_scope_key (secret) VALUES (gen_random_bytes(32));

-- What the token is bound to: this connection and this transaction. Not
-- secret; the service asks for it right after BEGIN. A bare expression, so
-- that it is inlined where it is used (inside p88_scope_token() with that
-- function's search_path); EXTRACT is exact (numeric) and always pg_catalog's.
CREATE FUNCTION p88_scope_nonce() RETURNS TEXT
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
    SELECT pg_catalog.pg_backend_pid()::text || '.'
        || (EXTRACT(epoch FROM pg_catalog.transaction_timestamp()) * 1000000)::bigint::text
$$;

-- The scope of this transaction's token ('*' or a partner id), or NULL when
-- there is none or it is not valid here. PL/pgSQL: its statements' plans are
-- kept for the session, where a SQL function with SET would be planned again
-- at every call.
CREATE FUNCTION p88_scope_token() RETURNS TEXT
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    token TEXT := current_setting('app.nlq_scope', true);
    scope TEXT := split_part(token, ':', 1);  -- no regex with a capture: 25 us a call
    key BYTEA;
    expected TEXT;
BEGIN
    IF scope IS NULL OR NOT (scope = '*' OR scope ~ '^[0-9]{1,9}$') THEN
        RETURN NULL;
    END IF;
    SELECT k.secret INTO key FROM public.p88_scope_key AS k;
    expected := scope || ':' || encode(public.hmac(
        convert_to('p88-nlq-scope-v1|' || scope || '|' || public.p88_scope_nonce(), 'UTF8'),
        key, 'sha256'), 'hex');
    -- HMACs of both sides, not the strings: no early exit that tracks a guess
    -- (and whatever follows the scope in the token is covered as it is).
    IF public.hmac(convert_to(token, 'UTF8'), key, 'sha256')
       = public.hmac(convert_to(expected, 'UTF8'), key, 'sha256') THEN
        RETURN scope;
    END IF;
    RETURN NULL;
END
$$;
-- EXECUTE stays with PUBLIC: every role the policies apply to needs it, since
-- PostgreSQL checks the privilege on each function of a policy even where a
-- CASE would not call it (a writer never does). Calling it tells a caller only
-- what its own token grants.

-- The three below run with the invoker's rights (current_user must be the
-- querying role, not a function owner) and are bare expressions, inlined into
-- the policies' sub-selects: planned with the query, no call of their own.
-- Their functions are schema-qualified, since inlined bodies are read with
-- the querying session's search_path.

-- Is the role running this query a reader (see above)?
CREATE FUNCTION p88_scope_reader() RETURNS BOOLEAN
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.pg_has_role(current_user, 'nlq_reader', 'USAGE')
        OR pg_catalog.pg_has_role(current_user, 'web_anon', 'USAGE')
$$;

-- The one partner this query may see: from the token for readers, from
-- app.timing_partner_id for everyone else. NULL: none.
CREATE FUNCTION p88_scope_partner() RETURNS INTEGER
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
    SELECT CASE
        WHEN public.p88_scope_reader() THEN NULLIF(public.p88_scope_token(), '*')::integer
        ELSE NULLIF(pg_catalog.current_setting('app.timing_partner_id', true), '')::integer
    END
$$;

-- Every partner when it says 'on': an admin token for readers, the setting
-- app.all_partners for everyone else. Text compared with 'on' in the policy,
-- like the setting was, and not a boolean: the planner estimates
-- `text = 'on'` at 0.5 % of the rows but a bare boolean at 50 %, and that
-- guess, ORed with the partner arm, would make every partner's query look
-- ten times larger than it is and change its join order.
CREATE FUNCTION p88_scope_all() RETURNS TEXT
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
    SELECT CASE
        WHEN public.p88_scope_reader() THEN
            CASE WHEN public.p88_scope_token() = '*' THEN 'on' END
        ELSE pg_catalog.current_setting('app.all_partners', true)
    END
$$;

-- The same policy name on the same tables as 0002, now through the verifier.
DO $$
DECLARE
    tbl TEXT;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['partner_provider_credentials',
        'timing_partner_haku_orgs', 'ct_events', 'ct_races', 'ct_participants', 'ct_results',
        'event_weather', 'events', 'runsignup_events', 'runsignup_races',
        'runsignup_participants', 'raceroster_events', 'sync_history', 'sync_queue', 'users']
    LOOP
        EXECUTE format(
            'ALTER POLICY partner_isolation ON %I USING ('
            ' timing_partner_id = (SELECT p88_scope_partner())'
            ' OR (SELECT p88_scope_all()) = ''on'')',
            tbl);
    END LOOP;
END
$$;
ALTER POLICY partner_isolation ON timing_partners USING (
    id = (SELECT p88_scope_partner()) OR (SELECT p88_scope_all()) = 'on');

-- No policy may still read the settings itself: that is what could be forged.
DO $$
DECLARE
    left_over TEXT;
BEGIN
    SELECT string_agg(format('%s on %s', policyname, tablename), ', ') INTO left_over
    FROM pg_policies
    WHERE schemaname = 'public'
      AND (qual ~ 'current_setting|set_config' OR with_check ~ 'current_setting|set_config');
    IF left_over IS NOT NULL THEN
        RAISE EXCEPTION 'policies still reading settings directly: %', left_over;
    END IF;
END
$$;
