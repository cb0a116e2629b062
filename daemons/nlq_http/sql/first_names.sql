-- Runners' first names this caller can see (row-level security applies), lower case: a name
-- typed without its accent or apostrophe ("renee", "oneill") is matched to how the data
-- spells it ("Renée", "O'Neill").
SELECT DISTINCT lower(first_name) FROM ct_participants;
