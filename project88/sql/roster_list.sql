-- One roster's bibs (a session's, or the shared one when session is NULL) in race
-- order: numeric bibs by number, then the others alphabetically.
SELECT bib, tag_code, first_name, last_name, age, gender, division, city, state, country,
       message, count(*) OVER () AS total
FROM race_roster
WHERE roster_key = COALESCE(%(session)s::integer, 0)
ORDER BY bib !~ '^[0-9]+$', CASE WHEN bib ~ '^[0-9]+$' THEN bib::bigint END, bib
LIMIT %(limit)s
