-- demo-data: the triggers that judge each result as it is written (migration 0005) are set
-- aside for the bulk COPY; demodata_derived_on.sql judges every row in one statement and
-- puts them back, in the same transaction (a failed load rolls back with them untouched).
ALTER TABLE ct_results DISABLE TRIGGER boston_qualifier_on_insert,
    DISABLE TRIGGER boston_qualifier_on_update;
