-- depends: 0004_admin_reader_and_indexes
-- Boston qualifiers, judged when a result is written instead of when it is asked for.
--
-- "Boston qualifiers" (issue 5's second benchmark question) needs each
-- marathon finisher's sex and age next to the chip time: at the documented
-- scale that is 266,000 participant lookups to keep under 10,000 rows, 650 ms
-- however it is indexed. The judgement under the latest standards is stored
-- on the finish row instead (ct_results.boston_qualifier), kept true by
-- triggers on every table it depends on, and two small partial indexes hold
-- the qualifiers by chip time (all partners; per partner). The
-- natural-language service uses the flag for the latest standards of
-- marathons; a named edition is judged at query time, as before.
--
-- What "qualifier" means (boston_qualifies() below, the one definition):
--   * a finish row (timing_point 'Finish', status 'finished') with a chip time,
--   * of a race whose distance is a marathon, within the same 2 % tolerance
--     the service applies to "marathon" (daemons/nlq_http/sql.py,
--     DISTANCE_TOLERANCE: 41.351-43.039 km; a test holds the two together),
--   * at or under the qualifying time of a band of the latest edition in
--     boston_qualifying_standards for the participant's sex and age.
--
-- Kept true by:
--   * ct_results, BEFORE INSERT / UPDATE: the row is judged as it is written
--     (an UPDATE that sets the flag itself is judged again, so it cannot be
--     set by hand);
--   * ct_participants, AFTER UPDATE of sex or age, and ct_races, AFTER UPDATE
--     of distance_km: that participant's or race's results are judged again;
--   * boston_qualifying_standards, AFTER any change (a new edition is an
--     INSERT): every result is judged again, once per statement.
-- The triggers read and write as the tables' owner (SECURITY DEFINER) with
-- every partner visible, so the judgement never depends on who writes or on
-- that session's partner. Every partner is made visible by app.all_partners,
-- set for the function's work and put back before it returns (an error rolls
-- it back with the rest): not as a function SET clause, which PostgreSQL 15
-- refuses to a tables' owner that is not a superuser.
-- boston_qualifiers_refresh() judges everything again on demand: after a
-- bulk load with the triggers disabled (as demo-data does), or after the one
-- race triggers cannot see (a result inserted while another transaction
-- corrects its runner's sex or age is judged on the runner as before).

ALTER TABLE ct_results ADD COLUMN boston_qualifier BOOLEAN NOT NULL DEFAULT false;
COMMENT ON COLUMN ct_results.boston_qualifier IS
    'Derived, maintained by triggers (migration 0005): a marathon finish at or under the latest '
    'Boston qualifying standard for the participant''s sex and age';

-- Marathon, as the service reads the word. IMMUTABLE and a bare expression,
-- so the planner inlines it and can use ct_races_distance.
CREATE FUNCTION is_marathon_distance(km NUMERIC) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT km BETWEEN 41.351 AND 43.039
$$;

-- The latest edition's qualifying time for a sex and age: with overlapping
-- bands the most generous, which is what "under any band's standard" means.
CREATE FUNCTION boston_qualifying_time(runner_sex CHAR, runner_age SMALLINT) RETURNS INTERVAL
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT max(bq.qualifying_time)
    FROM public.boston_qualifying_standards AS bq
    WHERE bq.edition_year = (SELECT max(s.edition_year) FROM public.boston_qualifying_standards AS s)
      AND bq.sex = runner_sex
      AND runner_age BETWEEN bq.age_min AND bq.age_max
$$;

CREATE FUNCTION boston_qualifies(
    timing_point TEXT, status TEXT, chip_time INTERVAL,
    runner_sex CHAR, runner_age SMALLINT, race_km NUMERIC
) RETURNS BOOLEAN
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    -- CASE, not AND: the standards are looked up only for marathon finishes.
    SELECT CASE
        WHEN timing_point = 'Finish' AND status = 'finished' AND public.is_marathon_distance(race_km)
        THEN coalesce(chip_time <= public.boston_qualifying_time(runner_sex, runner_age), false)
        ELSE false
    END
$$;

-- Every result judged again; returns how many flags changed. Only rows that
-- are or may become qualifiers are looked at: flagged rows and marathon
-- finishes.
CREATE FUNCTION boston_qualifiers_refresh() RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    changed BIGINT;
    prior TEXT := current_setting('app.all_partners', true);
BEGIN
    PERFORM set_config('app.all_partners', 'on', true);
    UPDATE public.ct_results AS r
    SET boston_qualifier = NOT r.boston_qualifier
    FROM public.ct_participants AS p, public.ct_races AS ra
    WHERE p.id = r.participant_id
      AND ra.id = r.race_id
      AND (r.boston_qualifier
           OR (r.timing_point = 'Finish' AND r.status = 'finished'
               AND public.is_marathon_distance(ra.distance_km)))
      AND r.boston_qualifier <> public.boston_qualifies(
              r.timing_point, r.status, r.chip_time, p.sex, p.age, ra.distance_km);
    GET DIAGNOSTICS changed = ROW_COUNT;
    PERFORM set_config('app.all_partners', coalesce(prior, ''), true);
    RETURN changed;
END
$$;
REVOKE ALL ON FUNCTION boston_qualifiers_refresh() FROM PUBLIC;

-- ct_results: judge the row being written.
CREATE FUNCTION ct_results_judge_boston() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    prior TEXT := current_setting('app.all_partners', true);
BEGIN
    PERFORM set_config('app.all_partners', 'on', true);
    NEW.boston_qualifier := coalesce((
        SELECT public.boston_qualifies(NEW.timing_point, NEW.status, NEW.chip_time,
                                       p.sex, p.age, ra.distance_km)
        FROM public.ct_participants AS p, public.ct_races AS ra
        WHERE p.id = NEW.participant_id AND ra.id = NEW.race_id), false);
    PERFORM set_config('app.all_partners', coalesce(prior, ''), true);
    RETURN NEW;
END
$$;
-- Splits are never qualifiers: only finish rows (or a row claiming to be a
-- qualifier) cost a lookup.
CREATE TRIGGER boston_qualifier_on_insert
    BEFORE INSERT ON ct_results FOR EACH ROW
    WHEN (NEW.boston_qualifier OR (NEW.timing_point = 'Finish' AND NEW.status = 'finished'))
    EXECUTE FUNCTION ct_results_judge_boston();
CREATE TRIGGER boston_qualifier_on_update
    BEFORE UPDATE ON ct_results FOR EACH ROW
    WHEN (NEW.boston_qualifier IS DISTINCT FROM OLD.boston_qualifier
          OR NEW.participant_id IS DISTINCT FROM OLD.participant_id
          OR NEW.race_id IS DISTINCT FROM OLD.race_id
          OR NEW.timing_point IS DISTINCT FROM OLD.timing_point
          OR NEW.status IS DISTINCT FROM OLD.status
          OR NEW.chip_time IS DISTINCT FROM OLD.chip_time)
    EXECUTE FUNCTION ct_results_judge_boston();

-- ct_participants and ct_races: a corrected sex or age judges that runner's
-- results again; a corrected distance, that race's.
CREATE FUNCTION ct_rejudge_boston() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    prior TEXT := current_setting('app.all_partners', true);
BEGIN
    PERFORM set_config('app.all_partners', 'on', true);
    IF TG_TABLE_NAME = 'ct_participants' THEN
        UPDATE public.ct_results AS r SET boston_qualifier = NOT r.boston_qualifier
        FROM public.ct_races AS ra
        WHERE r.participant_id = NEW.id AND ra.id = r.race_id
          AND r.boston_qualifier <> public.boston_qualifies(
                  r.timing_point, r.status, r.chip_time, NEW.sex, NEW.age, ra.distance_km);
    ELSE
        UPDATE public.ct_results AS r SET boston_qualifier = NOT r.boston_qualifier
        FROM public.ct_participants AS p
        WHERE r.race_id = NEW.id AND p.id = r.participant_id
          AND r.boston_qualifier <> public.boston_qualifies(
                  r.timing_point, r.status, r.chip_time, p.sex, p.age, NEW.distance_km);
    END IF;
    PERFORM set_config('app.all_partners', coalesce(prior, ''), true);
    RETURN NULL;
END
$$;
CREATE TRIGGER boston_qualifier
    AFTER UPDATE OF sex, age ON ct_participants FOR EACH ROW
    WHEN (NEW.sex IS DISTINCT FROM OLD.sex OR NEW.age IS DISTINCT FROM OLD.age)
    EXECUTE FUNCTION ct_rejudge_boston();
CREATE TRIGGER boston_qualifier
    AFTER UPDATE OF distance_km ON ct_races FOR EACH ROW
    WHEN (NEW.distance_km IS DISTINCT FROM OLD.distance_km)
    EXECUTE FUNCTION ct_rejudge_boston();

-- boston_qualifying_standards: any change (a new edition, a corrected band)
-- judges every result again, once per statement.
CREATE FUNCTION boston_standards_rejudge() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM public.boston_qualifiers_refresh();
    RETURN NULL;
END
$$;
CREATE TRIGGER boston_qualifier
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON boston_qualifying_standards
    FOR EACH STATEMENT EXECUTE FUNCTION boston_standards_rejudge();

-- The qualifiers by chip time, with what the service joins on: across every
-- partner (admin callers), and per partner (a partner's own, under row-level
-- security). The predicate repeats the finish conditions so queries that state
-- them match it. Both are small: one finish in 170 qualifies.
CREATE INDEX ct_results_boston_qualifiers ON ct_results (chip_time)
    INCLUDE (participant_id, race_id, event_id, timing_partner_id)
    WHERE boston_qualifier AND timing_point = 'Finish' AND status = 'finished';
CREATE INDEX ct_results_boston_qualifiers_partner ON ct_results (timing_partner_id, chip_time)
    INCLUDE (participant_id, race_id, event_id)
    WHERE boston_qualifier AND timing_point = 'Finish' AND status = 'finished';
-- The flag implies the finish conditions; without this the planner multiplies
-- their selectivities as if independent and expects a fifth of the qualifiers.
CREATE STATISTICS ct_results_boston_dependencies (dependencies)
    ON boston_qualifier, timing_point, status FROM ct_results;

-- The results already stored (a DO block: a migration prints no result set),
-- then statistics for the new column and its dependencies, so the planner
-- sizes the new indexes right away rather than at autovacuum's next pass.
DO $$
BEGIN
    RAISE NOTICE 'Boston qualifiers flagged: %', boston_qualifiers_refresh();
END
$$;
ANALYZE ct_results (boston_qualifier, timing_point, status);
