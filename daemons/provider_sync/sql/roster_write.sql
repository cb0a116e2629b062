-- A provider's runners into the display's roster (execute_values fills VALUES),
-- marked with their source; a runner's message (set by hand or a CSV) is kept.
WITH incoming (bib, first_name, last_name, city, state, country, age, gender, division,
               message, tag_code, source) AS (
    VALUES %s
)
INSERT INTO race_roster AS r (bib, first_name, last_name, city, state, country, age, gender,
                              division, tag_code, source)
SELECT bib, first_name, last_name, city, state, country, age::integer, gender, division,
       tag_code, source
FROM incoming
ON CONFLICT (roster_key, bib) DO UPDATE
SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, city = EXCLUDED.city,
    state = EXCLUDED.state, country = EXCLUDED.country, age = EXCLUDED.age,
    gender = EXCLUDED.gender, division = EXCLUDED.division, tag_code = EXCLUDED.tag_code,
    source = EXCLUDED.source, updated_at = now()
WHERE (r.first_name, r.last_name, r.city, r.state, r.country, r.age, r.gender, r.division,
       r.tag_code, r.source)
      IS DISTINCT FROM (EXCLUDED.first_name, EXCLUDED.last_name, EXCLUDED.city, EXCLUDED.state,
                        EXCLUDED.country, EXCLUDED.age, EXCLUDED.gender, EXCLUDED.division,
                        EXCLUDED.tag_code, EXCLUDED.source)
RETURNING r.bib
