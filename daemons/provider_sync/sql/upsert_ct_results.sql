-- ChronoTrack finish results, tied to their entry by entry_id (the adapter found it
-- from the bib). One row per participant and timing point.
-- A hash join, never a nested loop: json_to_recordset is estimated at 100 rows and
-- the table side (filtered by the partner policy) at a handful, so the planner
-- picked a nested loop that re-parsed the whole page's JSON for every table row,
-- quadratic in the field size (bench/provider_sync.py: 70 s of a 74 s first sync
-- of 50,000). Transaction-local: the page's transaction runs only this.
SET LOCAL enable_nestloop = off;
INSERT INTO ct_results AS t (participant_id, race_id, event_id, timing_partner_id, timing_point,
                             status, chip_time, gun_time, pace_per_mile, overall_place,
                             division, last_modified)
SELECT p.id, p.race_id, p.event_id, %(partner)s, r.timing_point, r.status, r.chip_time,
       r.gun_time, r.pace_per_mile, r.overall_place, r.division, r.last_modified
FROM json_to_recordset(%(rows)s::json) AS r(entry_id bigint, event_id bigint,
    timing_point text, status text,
    chip_time interval, gun_time interval, pace_per_mile interval, overall_place integer,
    division text, last_modified text)
-- the event's entries only (ct_participants_event): the hash is one event's field
JOIN ct_participants AS p ON p.timing_partner_id = %(partner)s AND p.event_id = r.event_id
    AND p.entry_id = r.entry_id
ON CONFLICT (participant_id, timing_point) DO UPDATE
SET status = EXCLUDED.status, chip_time = EXCLUDED.chip_time, gun_time = EXCLUDED.gun_time,
    pace_per_mile = EXCLUDED.pace_per_mile, overall_place = EXCLUDED.overall_place,
    division = EXCLUDED.division, last_modified = EXCLUDED.last_modified
WHERE (t.status, t.chip_time, t.gun_time, t.pace_per_mile, t.overall_place, t.division)
      IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.chip_time, EXCLUDED.gun_time,
                        EXCLUDED.pace_per_mile, EXCLUDED.overall_place, EXCLUDED.division)
RETURNING t.id
