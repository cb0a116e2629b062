-- demo-data: the providers arrive in a staging table, since the migrations already hold the
-- three a sync needs (0007): the dataset's rows (same ids, names and slugs, and Haku) are
-- merged into them rather than copied over them.
CREATE TEMP TABLE demo_providers (LIKE providers INCLUDING DEFAULTS) ON COMMIT DROP;
