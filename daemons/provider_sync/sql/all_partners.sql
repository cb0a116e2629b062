-- The queue and the schedule span partners: the daemon's own bookkeeping only.
SELECT set_config('app.timing_partner_id', '', true), set_config('app.all_partners', 'on', true)
