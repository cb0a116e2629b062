-- ChronoTrack entries by (partner, entry_id). A bib change is an update of the same
-- row; the (race, bib) constraint is checked at commit, so two runners may swap.
INSERT INTO ct_participants AS t (entry_id, athlete_id, race_id, event_id, timing_partner_id,
                                  bib, first_name, last_name, sex, age, city, state, country)
SELECT r.entry_id, r.athlete_id, r.race_id, r.event_id, %(partner)s, r.bib, r.first_name,
       r.last_name, r.sex, r.age, r.city, r.state, COALESCE(r.country, 'US')
FROM json_to_recordset(%(rows)s::json) AS r(entry_id bigint, athlete_id bigint, race_id bigint,
    event_id bigint, bib text, first_name text, last_name text, sex text, age smallint,
    city text, state text, country text)
ON CONFLICT (timing_partner_id, entry_id) DO UPDATE
SET athlete_id = EXCLUDED.athlete_id, race_id = EXCLUDED.race_id, event_id = EXCLUDED.event_id,
    bib = EXCLUDED.bib, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
    sex = EXCLUDED.sex, age = EXCLUDED.age, city = EXCLUDED.city, state = EXCLUDED.state,
    country = EXCLUDED.country
WHERE (t.athlete_id, t.race_id, t.event_id, t.bib, t.first_name, t.last_name, t.sex, t.age,
       t.city, t.state, t.country)
      IS DISTINCT FROM (EXCLUDED.athlete_id, EXCLUDED.race_id, EXCLUDED.event_id, EXCLUDED.bib,
                        EXCLUDED.first_name, EXCLUDED.last_name, EXCLUDED.sex, EXCLUDED.age,
                        EXCLUDED.city, EXCLUDED.state, EXCLUDED.country)
RETURNING t.id
