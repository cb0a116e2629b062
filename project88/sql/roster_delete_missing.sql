-- --replace: runners no longer in the file (bibs: every bib of the file).
DELETE FROM race_roster
WHERE bib <> ALL (%(bibs)s::varchar[])
RETURNING bib
