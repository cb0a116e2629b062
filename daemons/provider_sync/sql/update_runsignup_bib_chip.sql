-- get-bib-chip: bib and chip assignments of registrations already held.
-- A hash join, never a nested loop: json_to_recordset is estimated at 100 rows and
-- the table side (filtered by the partner policy) at a handful, so the planner
-- picked a nested loop that re-parsed the whole page's JSON for every table row,
-- quadratic in the field size (bench/provider_sync.py: 70 s of a 74 s first sync
-- of 50,000). Transaction-local: the page's transaction runs only this.
SET LOCAL enable_nestloop = off;
UPDATE runsignup_participants AS t SET bib = r.bib, chip = r.chip
FROM json_to_recordset(%(rows)s::json) AS r(registration_id bigint, bib text, chip text)
WHERE t.timing_partner_id = %(partner)s AND t.registration_id = r.registration_id
  AND (t.bib, t.chip) IS DISTINCT FROM (r.bib, r.chip)
RETURNING t.id
