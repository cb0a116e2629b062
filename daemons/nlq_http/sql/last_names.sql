-- Runners' surnames this caller can see (row-level security applies), lower case: a
-- surname alone ("the Smiths") is read as a runner only when the data has it.
SELECT DISTINCT lower(last_name) FROM ct_participants;
