UPDATE archiver_runs
SET outcome = %(outcome)s, summary = %(summary)s, finished_at = now()
WHERE id = %(id)s;
