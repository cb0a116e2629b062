-- roster import --event-id: read every partner's rows for this transaction only. The
-- production tables FORCE row-level security, so even their owner sees nothing without it.
SELECT set_config('app.all_partners', 'on', true)
