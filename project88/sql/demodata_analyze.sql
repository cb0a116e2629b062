-- demo-data: fresh planner statistics for the tables just loaded.
ANALYZE timing_partners, providers, users, timing_partner_haku_orgs, partner_provider_credentials,
    ct_events, ct_races, ct_participants, ct_results, event_weather, events, runsignup_events,
    runsignup_races, runsignup_participants, raceroster_events, sync_history, sync_queue;
