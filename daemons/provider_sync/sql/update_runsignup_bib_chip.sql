-- get-bib-chip: bib and chip assignments of registrations already held.
UPDATE runsignup_participants AS t SET bib = r.bib, chip = r.chip
FROM json_to_recordset(%(rows)s::json) AS r(registration_id bigint, bib text, chip text)
WHERE t.timing_partner_id = %(partner)s AND t.registration_id = r.registration_id
  AND (t.bib, t.chip) IS DISTINCT FROM (r.bib, r.chip)
RETURNING t.id
