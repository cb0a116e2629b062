-- roster import --event-id: the event (its name, date and the names of its races), to
-- tell an unknown id or race from one with nobody in it. Run after
-- set_config('app.all_partners', 'on', true): the tables FORCE row-level security.
SELECT e.name, e.event_date,
       COALESCE(array_agg(r.name ORDER BY r.id) FILTER (WHERE r.id IS NOT NULL), '{}') AS races
FROM ct_events e
LEFT JOIN ct_races r ON r.event_id = e.id
WHERE e.id = %(event_id)s
GROUP BY e.id
