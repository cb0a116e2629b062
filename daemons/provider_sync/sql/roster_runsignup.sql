-- A RunSignUp race's participants (all its events) as roster participants.
SELECT p.id, r.name, p.bib, p.first_name, p.last_name, p.sex, p.age, p.city, p.state,
       NULL::text, NULL::text, p.chip
FROM runsignup_participants AS p
JOIN runsignup_races AS r ON r.id = p.runsignup_race_id
WHERE p.timing_partner_id = %(partner)s AND r.runsignup_event_id = %(event)s::bigint
  AND p.bib IS NOT NULL
ORDER BY r.id, p.bib, p.id
