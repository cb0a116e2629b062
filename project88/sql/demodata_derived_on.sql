-- demo-data: judge the rows just loaded in one statement (cheaper than one trigger call per
-- finish row), then put back the triggers demodata_derived_off.sql set aside.
SELECT boston_qualifiers_refresh();
ALTER TABLE ct_results ENABLE TRIGGER boston_qualifier_on_insert,
    ENABLE TRIGGER boston_qualifier_on_update;
