-- Runners of this source the provider no longer has (removed, or bib changed).
DELETE FROM race_roster WHERE source = %(source)s AND bib <> ALL (%(bibs)s::varchar[])
RETURNING bib
