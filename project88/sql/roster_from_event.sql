-- roster import --event-id: the participants of one event (race: one race's name, any
-- case, or NULL for all), in race and bib order, with the division of their finish
-- result when they have one (someone who has not run yet has none: the command derives
-- it from sex and age). Run after set_config('app.all_partners', 'on', true), in the
-- same transaction: the tables FORCE row-level security, the owner included.
SELECT p.id, r.name AS race, p.bib, p.first_name, p.last_name, p.sex, p.age,
       p.city, p.state, p.country, f.division
FROM ct_participants p
JOIN ct_races r ON r.id = p.race_id
LEFT JOIN ct_results f ON f.participant_id = p.id AND f.timing_point = 'Finish'
WHERE p.event_id = %(event_id)s
  AND (%(race)s::text IS NULL OR lower(r.name) = lower(%(race)s::text))
ORDER BY r.id, p.bib !~ '^[0-9]+$', CASE WHEN p.bib ~ '^[0-9]{1,18}$' THEN p.bib::bigint END,
         p.bib, p.id
