-- RunSignUp participants by (partner, registration_id).
INSERT INTO runsignup_participants AS t (registration_id, runsignup_race_id, timing_partner_id,
    bib, chip, first_name, last_name, sex, age, city, state, email, phone, registered_at,
    amount_paid, last_modified)
SELECT r.registration_id, r.runsignup_race_id, %(partner)s, r.bib, r.chip, r.first_name,
       r.last_name, r.sex, r.age, r.city, r.state, r.email, r.phone, r.registered_at,
       r.amount_paid, r.last_modified
FROM json_to_recordset(%(rows)s::json) AS r(registration_id bigint, runsignup_race_id bigint,
    bib text, chip text, first_name text, last_name text, sex text, age smallint, city text,
    state text, email text, phone text, registered_at timestamptz, amount_paid numeric,
    last_modified timestamptz)
ON CONFLICT (timing_partner_id, registration_id) DO UPDATE
SET runsignup_race_id = EXCLUDED.runsignup_race_id, bib = EXCLUDED.bib,
    chip = COALESCE(EXCLUDED.chip, t.chip),  -- the participants listing may omit chips
    first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, sex = EXCLUDED.sex,
    age = EXCLUDED.age, city = EXCLUDED.city, state = EXCLUDED.state, email = EXCLUDED.email,
    phone = EXCLUDED.phone, registered_at = EXCLUDED.registered_at,
    amount_paid = EXCLUDED.amount_paid, last_modified = EXCLUDED.last_modified
WHERE (t.runsignup_race_id, t.bib, t.chip, t.first_name, t.last_name, t.sex, t.age, t.city,
       t.state, t.email, t.phone, t.registered_at, t.amount_paid, t.last_modified)
      IS DISTINCT FROM (EXCLUDED.runsignup_race_id, EXCLUDED.bib,
                        COALESCE(EXCLUDED.chip, t.chip), EXCLUDED.first_name,
                        EXCLUDED.last_name, EXCLUDED.sex, EXCLUDED.age, EXCLUDED.city,
                        EXCLUDED.state, EXCLUDED.email, EXCLUDED.phone, EXCLUDED.registered_at,
                        EXCLUDED.amount_paid, EXCLUDED.last_modified)
RETURNING t.id
