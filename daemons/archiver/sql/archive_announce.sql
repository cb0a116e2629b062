-- Tell the display (it rebuilds its statistics) that reads moved.
SELECT pg_notify('timing_archive', %(payload)s);
