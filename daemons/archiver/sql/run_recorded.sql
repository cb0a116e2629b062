INSERT INTO archiver_runs (job, started_at, outcome, summary)
VALUES (%(job)s, %(started_at)s, %(outcome)s, %(summary)s);
