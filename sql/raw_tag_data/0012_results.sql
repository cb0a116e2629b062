-- depends: 0011_concurrent_races
-- Finish time, pace and place, live (issue 15 §2). A timing session may have a
-- course: which mats are its start, splits and finish, how far each is from the
-- start, and the shortest believable time between two crossings. The
-- results_keeper daemon scores every active session that has one
-- (project88.scoring) from timing_reads, timing_gun_times and race_roster, keeps
-- timing_results and timing_result_groups current, and says which results changed
-- with pg_notify('timing_results', …) in the same transaction. The display's APIs
-- and stream read those tables; nothing else recomputes a result.

-- One row per session that has a course; a session without one gets no results.
CREATE TABLE timing_courses (
    session_id INTEGER PRIMARY KEY REFERENCES timing_sessions(id),
    -- a read at another mat sooner than this after the runner's previous crossing
    -- (or the gun) is a bounce, not a crossing
    min_lap    INTERVAL NOT NULL DEFAULT '0' CHECK (min_lap >= INTERVAL '0'),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- The course's mats in course order (position 1 first). location_name is the name
-- the controllers send (timing_reads.location_name). At most one start, exactly one
-- finish (last): `project88 session new|course --course start@0,5k@5000,finish@10000`
-- checks that with the scoring core's own rules before writing.
CREATE TABLE timing_course_locations (
    session_id    INTEGER NOT NULL REFERENCES timing_courses(session_id) ON DELETE CASCADE,
    position      SMALLINT NOT NULL CHECK (position >= 1),
    location_name VARCHAR(100) NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('start', 'split', 'finish')),
    distance_m    DOUBLE PRECISION CHECK (distance_m >= 0),  -- metres from the start
    PRIMARY KEY (session_id, position),
    UNIQUE (session_id, location_name)
);

-- One row per runner with a read in an active scored session: their result as the
-- scoring core gives it. Times are intervals; "elapsed" is the time shown: chip time
-- when a start mat saw the runner, else gun time (elapsed_basis says which).
CREATE TABLE timing_results (
    session_id      INTEGER NOT NULL REFERENCES timing_sessions(id),
    bib             VARCHAR(8) NOT NULL,
    first_name      TEXT,
    last_name       TEXT,
    sex             TEXT CHECK (sex IN ('M', 'F', 'X')),  -- NULL: unknown (no sex place)
    age             INTEGER,
    division        TEXT,                                  -- NULL: no division place
    status          TEXT NOT NULL CHECK (status IN ('finished', 'on course', 'not started')),
    gun_at          TIMESTAMPTZ,   -- the gun the runner is timed from (wave, finish or start gun)
    start_at        TIMESTAMPTZ,   -- the instant chip time counts from
    start_source    TEXT NOT NULL CHECK (start_source IN ('start read', 'gun: no start read',
                                         'gun: start read before the gun', 'none')),
    chip_from_gun   BOOLEAN NOT NULL,  -- flagged: no usable start read, chip time = gun time
    finish_at       TIMESTAMPTZ,
    finish_location VARCHAR(100) NOT NULL,  -- the course's finish mat
    finish_read_id  BIGINT,        -- timing_reads.id of the accepted finish read
    gun_time        INTERVAL,      -- finish_at - gun_at
    chip_time       INTERVAL,      -- finish_at - start_at
    elapsed         INTERVAL,      -- what is shown: chip time from a start read, else gun time
    elapsed_basis   TEXT CHECK (elapsed_basis IN ('chip', 'gun')),
    ranked_by       TEXT CHECK (ranked_by IN ('chip', 'gun')),  -- what places are worked on
    pace_per_km     INTERVAL,
    pace_per_mile   INTERVAL,
    distance_m      DOUBLE PRECISION NOT NULL,
    overall_place   INTEGER,
    sex_place       INTEGER,
    division_place  INTEGER,
    last_location   VARCHAR(100),  -- the latest accepted crossing: finish, a split or the start
    last_seen_at    TIMESTAMPTZ,
    splits          JSONB NOT NULL DEFAULT '[]',  -- [{location, at, chip_time, gun_time, distance_m}]
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (session_id, bib)
);
CREATE INDEX timing_results_places ON timing_results (session_id, overall_place);

-- How many runners are placed in each group so far: the N of "12th of N". Kept apart
-- from timing_results so that a new finisher changes one row here, not everyone's.
CREATE TABLE timing_result_groups (
    session_id INTEGER NOT NULL REFERENCES timing_sessions(id),
    kind       TEXT NOT NULL CHECK (kind IN ('overall', 'sex', 'division')),
    name       TEXT NOT NULL,  -- '' overall, 'F' by sex, 'F 40-44' by division
    placed     INTEGER NOT NULL CHECK (placed > 0),
    PRIMARY KEY (session_id, kind, name)
);

COMMENT ON TABLE timing_results IS
    'Written by results_keeper alone; announced with NOTIFY timing_results '
    '{"session_id": N, "bibs": [...]} in the same transaction.';

-- The scorer's inputs announce their changes, so a gun time fired late or a roster
-- synced mid-race re-times runners at once (results_keeper also looks every few
-- seconds, so nothing depends on these arriving). The payload is the session id,
-- 0 for the shared roster; identical payloads in one transaction are sent once.
CREATE FUNCTION notify_scoring_input() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify(TG_ARGV[0], COALESCE(OLD.session_id, 0)::text);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify(TG_ARGV[0], COALESCE(NEW.session_id, 0)::text);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER timing_gun_times_notify AFTER INSERT OR UPDATE OR DELETE ON timing_gun_times
    FOR EACH ROW EXECUTE FUNCTION notify_scoring_input('timing_gun_times');
CREATE TRIGGER race_roster_notify AFTER INSERT OR UPDATE OR DELETE ON race_roster
    FOR EACH ROW EXECUTE FUNCTION notify_scoring_input('race_roster');
CREATE TRIGGER timing_courses_notify AFTER INSERT OR UPDATE OR DELETE ON timing_courses
    FOR EACH ROW EXECUTE FUNCTION notify_scoring_input('timing_courses');
CREATE TRIGGER timing_course_locations_notify
    AFTER INSERT OR UPDATE OR DELETE ON timing_course_locations
    FOR EACH ROW EXECUTE FUNCTION notify_scoring_input('timing_courses');

-- The results keeper's group role (the deployment's login results_keeper joins it):
-- it reads the inputs and writes the results, nothing else.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'p88_results') THEN
        CREATE ROLE p88_results NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO p88_results;
GRANT SELECT ON timing_sessions, timing_reads, timing_gun_times, race_roster,
    timing_courses, timing_course_locations
TO p88_results;
GRANT SELECT, INSERT, UPDATE, DELETE ON timing_results, timing_result_groups TO p88_results;

-- The display shows them (GET /api/timing/results, the stream's result events).
GRANT SELECT ON timing_courses, timing_course_locations, timing_results, timing_result_groups
TO p88_display;
