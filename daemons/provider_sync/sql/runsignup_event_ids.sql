-- The events (5K, 10K…) of one RunSignUp race, as synced by its events job.
SELECT id FROM runsignup_races
WHERE timing_partner_id = %(partner)s AND runsignup_event_id = %(race)s ORDER BY id
