-- Reads after an id with their runner from the roster, for the live stream.
-- The code read on the mat is the runner's chip code (tag_code), or the bib
-- when the roster gives no chip code; roster import keeps that unique per roster.
-- The runner comes from the read's own session's roster, else from the shared
-- roster (roster_key 0): two races' bib 101 are two runners. time_zone: the
-- session's, for its instants (zones.py).
SELECT t.id, t.session_id, t.location_name, t.tag_code, t.read_time, t.read_date,
       t.read_timestamp, t.lap_count, t.reader_id,
       r.bib, r.first_name, r.last_name, r.city, r.state, r.country, r.age, r.gender,
       r.division, r.message, s.time_zone
FROM timing_reads AS t
LEFT JOIN timing_sessions AS s ON s.id = t.session_id
LEFT JOIN LATERAL (
    SELECT rr.bib, rr.first_name, rr.last_name, rr.city, rr.state, rr.country, rr.age,
           rr.gender, rr.division, rr.message
    FROM race_roster AS rr
    WHERE rr.roster_key IN (t.session_id, 0)
      AND (rr.tag_code = t.tag_code OR (rr.tag_code IS NULL AND rr.bib = t.tag_code))
    ORDER BY rr.roster_key = 0
    LIMIT 1
) AS r ON true
WHERE t.id > %(after)s AND t.id <= %(upto)s
  AND (%(session_id)s::integer IS NULL OR t.session_id = %(session_id)s)
  AND (%(location)s::text IS NULL OR t.location_name = %(location)s)
ORDER BY t.id
LIMIT %(limit)s;
