-- A ChronoTrack event's entries as roster participants (project88.roster.Participant).
SELECT p.id, r.name, p.bib, p.first_name, p.last_name, p.sex, p.age, p.city, p.state,
       p.country, f.division, p.chip
FROM ct_participants AS p
JOIN ct_races AS r ON r.id = p.race_id
LEFT JOIN ct_results AS f ON f.participant_id = p.id AND f.timing_point = 'Finish'
WHERE p.timing_partner_id = %(partner)s AND p.event_id = %(event)s::bigint
ORDER BY r.id, p.bib, p.id
