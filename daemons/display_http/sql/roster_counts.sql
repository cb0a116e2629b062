-- The roster's runners, and how many of them no provider sync put there (a CSV import).
SELECT count(*) AS total, count(*) FILTER (WHERE source IS NULL) AS unsourced
FROM race_roster;
