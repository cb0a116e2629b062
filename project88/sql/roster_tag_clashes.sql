-- Pairs of runners of one roster the mats could not tell apart: the tag each is read
-- by (its tag_code, or its bib when it has none) is the same. Run inside the import,
-- after its writes, so it covers runners already in that roster as well as the
-- file's. Another race's roster may reuse the tag: its reads are another session's.
SELECT COALESCE(a.tag_code, a.bib) AS tag, a.bib, b.bib
FROM race_roster a
JOIN race_roster b
  ON COALESCE(a.tag_code, a.bib) = COALESCE(b.tag_code, b.bib) AND a.bib < b.bib
     AND a.roster_key = b.roster_key
WHERE a.roster_key = COALESCE(%(session)s::integer, 0)
ORDER BY 1, 2, 3
