-- Race Roster registrations by (partner, Race Roster's registration id).
INSERT INTO raceroster_registrations AS t (provider_registration_id, raceroster_event_id,
    timing_partner_id, sub_event_id, bib, first_name, last_name, sex, gender_code, age, city,
    state, email, phone, registered_at, amount_paid, provider_updated_at)
SELECT r.provider_registration_id, r.raceroster_event_id, %(partner)s, r.sub_event_id, r.bib,
       r.first_name, r.last_name, r.sex, r.gender_code, r.age, r.city, r.state, r.email,
       r.phone, r.registered_at, r.amount_paid, r.provider_updated_at
FROM json_to_recordset(%(rows)s::json) AS r(provider_registration_id text,
    raceroster_event_id bigint, sub_event_id bigint, bib text, first_name text, last_name text,
    sex text, gender_code smallint, age smallint, city text, state text, email text, phone text,
    registered_at timestamptz, amount_paid numeric, provider_updated_at timestamptz)
ON CONFLICT (timing_partner_id, provider_registration_id) DO UPDATE
SET raceroster_event_id = EXCLUDED.raceroster_event_id, sub_event_id = EXCLUDED.sub_event_id,
    bib = EXCLUDED.bib, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
    sex = EXCLUDED.sex, gender_code = EXCLUDED.gender_code, age = EXCLUDED.age,
    city = EXCLUDED.city, state = EXCLUDED.state, email = EXCLUDED.email,
    phone = EXCLUDED.phone, registered_at = EXCLUDED.registered_at,
    amount_paid = EXCLUDED.amount_paid, provider_updated_at = EXCLUDED.provider_updated_at
WHERE (t.raceroster_event_id, t.sub_event_id, t.bib, t.first_name, t.last_name, t.sex,
       t.gender_code, t.age, t.city, t.state, t.email, t.phone, t.registered_at,
       t.amount_paid, t.provider_updated_at)
      IS DISTINCT FROM (EXCLUDED.raceroster_event_id, EXCLUDED.sub_event_id, EXCLUDED.bib,
                        EXCLUDED.first_name, EXCLUDED.last_name, EXCLUDED.sex,
                        EXCLUDED.gender_code, EXCLUDED.age, EXCLUDED.city, EXCLUDED.state,
                        EXCLUDED.email, EXCLUDED.phone, EXCLUDED.registered_at,
                        EXCLUDED.amount_paid, EXCLUDED.provider_updated_at)
RETURNING t.id
