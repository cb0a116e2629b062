-- A session's course: one row per mat in course order; none when it has no course.
SELECT c.min_lap, l.location_name, l.role, l.distance_m
FROM timing_courses AS c
JOIN timing_course_locations AS l ON l.session_id = c.session_id
WHERE c.session_id = %(session)s
ORDER BY l.position
