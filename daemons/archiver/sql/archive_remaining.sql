-- Whether reads older than the cut-off are left (after a run that ran out of time).
SELECT EXISTS (SELECT 1 FROM timing_reads WHERE read_timestamp < %(cutoff)s);
