-- Every write of a job runs as the partner whose credentials fetched the rows: the
-- partner_isolation policies then refuse any row of another partner (p88_sync is
-- neither the owner nor BYPASSRLS). Transaction-local, like everything it guards.
SELECT set_config('app.timing_partner_id', %(partner)s::text, true),
       set_config('app.all_partners', 'off', true)
