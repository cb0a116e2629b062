-- demo-data: hold every table of the dataset for the whole load (a second run waits, then
-- finds the data and refuses); row-level security may not hide rows from the check that follows.
LOCK TABLE timing_partners, providers, users, timing_partner_haku_orgs, partner_provider_credentials,
    ct_events, ct_races, ct_participants, ct_results, event_weather, events, runsignup_events,
    runsignup_races, runsignup_participants, raceroster_events, sync_history, sync_queue
IN ACCESS EXCLUSIVE MODE;
SELECT set_config('app.all_partners', 'on', true);
