-- The caller's partner for this transaction only (is_local = true): the
-- row-level security policies read these settings.
SELECT set_config('app.timing_partner_id', %(partner_id)s, true),
       set_config('app.all_partners', %(all_partners)s, true);
