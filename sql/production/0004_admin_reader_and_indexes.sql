-- depends: 0003_boston_standards
-- Faster answers for the natural-language service (issue 5's benchmark, bench/nlq.py).
--
-- 1. nlq_admin: the service's role for callers whose API key already grants
--    every partner (users.role = 'admin'). It reads exactly what nlq_reader
--    reads (it is a member) and is BYPASSRLS, because for such a caller the
--    partner_isolation policy filters nothing yet costs dearly: its admin
--    branch (current_setting('app.all_partners') = 'on') is opaque to the
--    planner (estimated at 0.5 % of every table), and the policy keeps
--    non-leakproof conditions (lower(), date_part(), numeric comparisons) out
--    of index scans. Partner callers never use this role: the service opens a
--    separate pool with its own login for it (P88_NLQ_ADMIN_DSN), so a partner
--    connection cannot SET ROLE its way around row-level security. Created
--    without LOGIN; the deployment gives it a login and a generated password.
--    Role changes need privileges a tables' owner may lack: a migration run
--    by such an owner says what a superuser must do (the deployment runs
--    migrations as the superuser, and sets BYPASSRLS again itself). Without
--    nlq_admin the service gives admin callers the nlq_reader pool: the same
--    answers, slower.
-- 2. Covering indexes for the two shapes the questions share: a race's
--    finishers by chip time (with who, where and whose, so joins need not
--    visit the heap), and participants by sex and age.
DO $$
DECLARE
    may_create_roles BOOLEAN;
    superuser BOOLEAN;
BEGIN
    SELECT rolsuper OR rolcreaterole, rolsuper INTO may_create_roles, superuser
    FROM pg_roles WHERE rolname = current_user;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nlq_admin') THEN
        IF NOT may_create_roles THEN
            RAISE NOTICE 'nlq_admin not created (% may not create roles): a superuser can run '
                'sql/production/0004_admin_reader_and_indexes.sql''s role part', current_user;
            RETURN;
        END IF;
        CREATE ROLE nlq_admin NOLOGIN;
    END IF;
    IF may_create_roles THEN
        GRANT nlq_reader TO nlq_admin;
        ALTER ROLE nlq_admin SET default_transaction_read_only = on;
    END IF;
    IF superuser THEN
        ALTER ROLE nlq_admin BYPASSRLS;
    ELSE
        RAISE NOTICE 'nlq_admin needs BYPASSRLS from a superuser: ALTER ROLE nlq_admin BYPASSRLS';
    END IF;
END
$$;

CREATE INDEX ct_results_finish_cover ON ct_results (race_id, chip_time)
    INCLUDE (participant_id, event_id, timing_partner_id)
    WHERE timing_point = 'Finish' AND status = 'finished';
DROP INDEX ct_results_finish_time;  -- the same keys, now covered above

CREATE INDEX ct_participants_sex_age ON ct_participants (sex, age)
    INCLUDE (id, timing_partner_id);
