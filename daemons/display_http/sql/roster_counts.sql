-- The runners the shown session reads (its own roster and the shared one; with no
-- session, the shared one), and how many of them no provider sync put there (a CSV
-- import).
SELECT count(*) AS total, count(*) FILTER (WHERE source IS NULL) AS unsourced
FROM race_roster
WHERE roster_key IN (COALESCE(%(session_id)s::integer, 0), 0);
