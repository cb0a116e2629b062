-- Bibs in race order: numeric bibs by number, then the others alphabetically.
SELECT bib, tag_code, first_name, last_name, age, gender, division, city, state, country,
       message, count(*) OVER () AS total
FROM race_roster
ORDER BY bib !~ '^[0-9]+$', CASE WHEN bib ~ '^[0-9]+$' THEN bib::bigint END, bib
LIMIT %(limit)s
