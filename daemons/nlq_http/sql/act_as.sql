-- The caller's signed partner scope for this transaction only (is_local =
-- true), then the scope the database reads from it: the caller's when the
-- key is right, NULL when it is not.
SELECT set_config('app.nlq_scope', %(token)s, true);
SELECT p88_scope_token();
