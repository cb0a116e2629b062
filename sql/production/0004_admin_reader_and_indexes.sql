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
-- 2. No JIT for either role: its compile step costs 50-110 ms on the
--    benchmark's larger questions, more than it saves on queries this size.
-- 3. Covering indexes for the two shapes the questions share: a race's
--    finishers by chip time (with who, where and whose, so joins need not
--    visit the heap), and participants by sex and age.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nlq_admin') THEN
        CREATE ROLE nlq_admin NOLOGIN BYPASSRLS;
    END IF;
END
$$;
ALTER ROLE nlq_admin NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
GRANT nlq_reader TO nlq_admin;

ALTER ROLE nlq_reader SET jit = off;
ALTER ROLE nlq_admin SET jit = off;
ALTER ROLE nlq_admin SET default_transaction_read_only = on;

CREATE INDEX ct_results_finish_cover ON ct_results (race_id, chip_time)
    INCLUDE (participant_id, event_id, timing_partner_id)
    WHERE timing_point = 'Finish' AND status = 'finished';
DROP INDEX ct_results_finish_time;  -- the same keys, now covered above

CREATE INDEX ct_participants_sex_age ON ct_participants (sex, age)
    INCLUDE (id, timing_partner_id);
