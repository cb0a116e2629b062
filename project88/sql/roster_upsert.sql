-- One page of runners of one roster (psycopg2.extras.execute_values fills in the VALUES
-- list; session_id NULL is the shared roster), upserted by (roster, bib).
-- A runner whose details are unchanged is not touched, so updated_at is the time
-- of the last real change. The final SELECT sees the table as it was before this
-- statement (data-modifying CTEs are invisible to the rest of the query), which
-- tells a new runner from an updated one. Returns one row per runner written.
WITH incoming (session_id, bib, first_name, last_name, city, state, country, age, gender, division,
               message, tag_code) AS (
    VALUES %s
),
written AS (
    INSERT INTO race_roster AS r
        (session_id, bib, first_name, last_name, city, state, country, age, gender, division, message,
         tag_code)
    SELECT session_id::integer, bib, first_name, last_name, city, state, country, age::integer, gender, division,
           message, tag_code
    FROM incoming
    ON CONFLICT (roster_key, bib) DO UPDATE
    SET first_name = EXCLUDED.first_name,
        last_name  = EXCLUDED.last_name,
        city       = EXCLUDED.city,
        state      = EXCLUDED.state,
        country    = EXCLUDED.country,
        age        = EXCLUDED.age,
        gender     = EXCLUDED.gender,
        division   = EXCLUDED.division,
        message    = EXCLUDED.message,
        tag_code   = EXCLUDED.tag_code,
        updated_at = now()
    WHERE (r.first_name, r.last_name, r.city, r.state, r.country, r.age, r.gender,
           r.division, r.message, r.tag_code)
          IS DISTINCT FROM
          (EXCLUDED.first_name, EXCLUDED.last_name, EXCLUDED.city, EXCLUDED.state,
           EXCLUDED.country, EXCLUDED.age, EXCLUDED.gender, EXCLUDED.division,
           EXCLUDED.message, EXCLUDED.tag_code)
    RETURNING r.bib, r.roster_key
)
SELECT w.bib, before.bib IS NULL AS inserted
FROM written w
LEFT JOIN race_roster before ON before.roster_key = w.roster_key AND before.bib = w.bib
