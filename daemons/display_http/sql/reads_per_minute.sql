-- Reads per minute over the last hour, by when they crossed the mat.
SELECT date_trunc('minute', read_timestamp) AS minute, count(*) AS reads
FROM timing_reads
WHERE read_timestamp > now() - interval '60 minutes'
  AND read_timestamp <= now() + interval '1 minute'
  AND (%(session_id)s::integer IS NULL OR session_id = %(session_id)s)
GROUP BY 1
ORDER BY 1;
