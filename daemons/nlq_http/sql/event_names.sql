-- The event names this caller can see (row-level security applies): the
-- parser's vocabulary.
SELECT DISTINCT name FROM ct_events ORDER BY name;
