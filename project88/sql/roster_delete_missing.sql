-- --replace: runners of this roster (a session's, or the shared one when session is
-- NULL) no longer in the file (bibs: every bib of the file).
DELETE FROM race_roster
WHERE roster_key = COALESCE(%(session)s::integer, 0)
  AND bib <> ALL (%(bibs)s::varchar[])
RETURNING bib
