DELETE FROM timing_course_locations WHERE session_id = %(session)s
