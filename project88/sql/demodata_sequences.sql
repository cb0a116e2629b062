-- demo-data: rows were loaded with explicit ids; serial columns continue after them.
SELECT setval(pg_get_serial_sequence('timing_partners', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM timing_partners), false);
SELECT setval(pg_get_serial_sequence('providers', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM providers), false);
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM users), false);
SELECT setval(pg_get_serial_sequence('partner_provider_credentials', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM partner_provider_credentials), false);
SELECT setval(pg_get_serial_sequence('timing_partner_haku_orgs', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM timing_partner_haku_orgs), false);
SELECT setval(pg_get_serial_sequence('event_weather', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM event_weather), false);
SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM events), false);
SELECT setval(pg_get_serial_sequence('runsignup_participants', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM runsignup_participants), false);
SELECT setval(pg_get_serial_sequence('sync_history', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM sync_history), false);
SELECT setval(pg_get_serial_sequence('sync_queue', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM sync_queue), false);
SELECT setval('ct_participants_id_seq', (SELECT COALESCE(max(id), 0) + 1 FROM ct_participants), false);
SELECT setval('ct_results_id_seq', (SELECT COALESCE(max(id), 0) + 1 FROM ct_results), false);
