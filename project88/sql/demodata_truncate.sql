-- demo-data --replace: empty the dataset's tables in one statement. Every table that
-- references another is in the list, so no CASCADE is needed (or could reach further);
-- the qualifying standards (migration data) are not part of the dataset and stay.
TRUNCATE sync_cursors, raceroster_registrations, ct_results, ct_participants, runsignup_participants, runsignup_races,
    runsignup_events, raceroster_events, event_weather, events, ct_races, ct_events,
    sync_queue, sync_history, partner_provider_credentials, timing_partner_haku_orgs, users,
    providers, timing_partners
RESTART IDENTITY;
