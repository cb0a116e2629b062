-- Reads after an id with their runner from the roster, for the live stream.
-- The code read on the mat is the runner's chip code (tag_code), or the bib
-- when the roster gives no chip code; roster import keeps that unique.
SELECT t.id, t.session_id, t.location_name, t.tag_code, t.read_time, t.read_date,
       t.read_timestamp, t.lap_count, t.reader_id,
       r.bib, r.first_name, r.last_name, r.city, r.state, r.country, r.age, r.gender,
       r.division, r.message
FROM timing_reads AS t
LEFT JOIN LATERAL (
    SELECT rr.bib, rr.first_name, rr.last_name, rr.city, rr.state, rr.country, rr.age,
           rr.gender, rr.division, rr.message
    FROM race_roster AS rr
    WHERE rr.tag_code = t.tag_code OR (rr.tag_code IS NULL AND rr.bib = t.tag_code)
    LIMIT 1
) AS r ON true
WHERE t.id > %(after)s AND t.id <= %(upto)s
  AND (%(session_id)s::integer IS NULL OR t.session_id = %(session_id)s)
  AND (%(location)s::text IS NULL OR t.location_name = %(location)s)
ORDER BY t.id
LIMIT %(limit)s;
