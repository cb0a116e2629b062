-- A Race Roster event's registrations as roster participants.
SELECT p.id, COALESCE(p.sub_event_id::text, e.name), p.bib, p.first_name, p.last_name, p.sex,
       p.age, p.city, p.state, NULL::text, NULL::text, p.chip
FROM raceroster_registrations AS p
JOIN raceroster_events AS e ON e.id = p.raceroster_event_id
WHERE p.timing_partner_id = %(partner)s AND p.raceroster_event_id = %(event)s::bigint
  AND p.bib IS NOT NULL
ORDER BY p.bib, p.id
