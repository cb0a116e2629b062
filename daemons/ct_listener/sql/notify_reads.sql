SELECT pg_notify('timing_reads', %(payload)s)
