-- demo-data: which tables of the dataset already hold rows (providers are reference data:
-- the migrations hold three, and the dataset's are merged in).
SELECT name FROM (VALUES
    ('timing_partners', EXISTS (SELECT FROM timing_partners)),
    ('users', EXISTS (SELECT FROM users)),
    ('timing_partner_haku_orgs', EXISTS (SELECT FROM timing_partner_haku_orgs)),
    ('partner_provider_credentials', EXISTS (SELECT FROM partner_provider_credentials)),
    ('ct_events', EXISTS (SELECT FROM ct_events)),
    ('ct_races', EXISTS (SELECT FROM ct_races)),
    ('ct_participants', EXISTS (SELECT FROM ct_participants)),
    ('ct_results', EXISTS (SELECT FROM ct_results)),
    ('event_weather', EXISTS (SELECT FROM event_weather)),
    ('events', EXISTS (SELECT FROM events)),
    ('runsignup_events', EXISTS (SELECT FROM runsignup_events)),
    ('runsignup_races', EXISTS (SELECT FROM runsignup_races)),
    ('runsignup_participants', EXISTS (SELECT FROM runsignup_participants)),
    ('raceroster_events', EXISTS (SELECT FROM raceroster_events)),
    ('sync_history', EXISTS (SELECT FROM sync_history)),
    ('sync_queue', EXISTS (SELECT FROM sync_queue))
) AS t (name, has_rows)
WHERE has_rows;
