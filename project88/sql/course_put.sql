-- A session's course (project88 session new|course --course): its minimum lap time.
-- The mats follow (course_clear_locations + course_add_location) in the same
-- transaction; the triggers of migration 0012 tell results_keeper.
INSERT INTO timing_courses (session_id, min_lap)
VALUES (%(session)s, %(min_lap)s)
ON CONFLICT (session_id) DO UPDATE
SET min_lap = EXCLUDED.min_lap, updated_at = CURRENT_TIMESTAMP
